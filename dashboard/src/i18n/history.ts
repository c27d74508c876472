/** Strings of the node/VM history views (time-range picker, comparison, breakdowns) and the theme switch, merged under `history`. */
export const historyEn = {
  range: {
    label: 'Time range',
    custom: 'Custom range',
    absolute: 'From and to',
    zoomOut: 'Zoom out',
    zoomHint: 'Drag across a chart to zoom in; the browser’s Back button returns to the previous range.',
    step: 'Step {{step}} · {{tier}}',
    live: 'updating live',
  },
  presets: {
    '5m': 'Last 5 minutes', '15m': 'Last 15 minutes', '30m': 'Last 30 minutes', '1h': 'Last hour', '3h': 'Last 3 hours',
    '6h': 'Last 6 hours', '12h': 'Last 12 hours', '24h': 'Last 24 hours', '2d': 'Last 2 days', '7d': 'Last 7 days',
    '30d': 'Last 30 days', '90d': 'Last 90 days', '180d': 'Last 180 days', '1y': 'Last year', '2y': 'Last 2 years',
  },
  tier: { raw: 'raw samples', '5m': '5-minute rollups', '1h': '1-hour rollups' },
  compare: {
    label: 'Compare with',
    none: 'No comparison',
    '1d': 'A day earlier',
    '1w': 'A week earlier',
    '30d': '30 days earlier',
    prev: 'Previous period',
    series: '{{name}} (earlier)',
  },
  breakdown: {
    filesystem: 'Filesystems used',
    nic: 'Network by interface',
    processCpu: 'Top processes by CPU (cores)',
    processMemory: 'Top processes by memory',
  },
  alerts: { title: 'Alerts on this node', none: 'No active alerts', name: 'Alert', level: 'Level', since: 'Since', summary: 'Summary' },
  configVersion: 'Configuration version',
  theme: { label: 'Theme', light: 'Light', dark: 'Dark' },
};

export type HistoryResources = typeof historyEn;

export const historyZhCN: HistoryResources = {
  range: {
    label: '时间范围',
    custom: '自定义范围',
    absolute: '起止时间',
    zoomOut: '缩小',
    zoomHint: '在图表上拖动以放大；浏览器的“后退”按钮返回上一个范围。',
    step: '步长 {{step}} · {{tier}}',
    live: '实时更新',
  },
  presets: {
    '5m': '最近 5 分钟', '15m': '最近 15 分钟', '30m': '最近 30 分钟', '1h': '最近 1 小时', '3h': '最近 3 小时',
    '6h': '最近 6 小时', '12h': '最近 12 小时', '24h': '最近 24 小时', '2d': '最近 2 天', '7d': '最近 7 天',
    '30d': '最近 30 天', '90d': '最近 90 天', '180d': '最近 180 天', '1y': '最近 1 年', '2y': '最近 2 年',
  },
  tier: { raw: '原始样本', '5m': '5 分钟汇总', '1h': '1 小时汇总' },
  compare: {
    label: '对比',
    none: '不对比',
    '1d': '一天前',
    '1w': '一周前',
    '30d': '30 天前',
    prev: '上一周期',
    series: '{{name}}（之前）',
  },
  breakdown: {
    filesystem: '文件系统使用率',
    nic: '各网卡流量',
    processCpu: 'CPU 占用最高的进程（核）',
    processMemory: '内存占用最高的进程',
  },
  alerts: { title: '此节点的告警', none: '没有活动告警', name: '告警', level: '级别', since: '开始于', summary: '摘要' },
  configVersion: '配置版本',
  theme: { label: '主题', light: '浅色', dark: '深色' },
};

export const historyJaJP: HistoryResources = {
  range: {
    label: '期間',
    custom: 'カスタム期間',
    absolute: '開始と終了',
    zoomOut: 'ズームアウト',
    zoomHint: 'グラフ上をドラッグして拡大します。ブラウザーの「戻る」で前の期間に戻ります。',
    step: 'ステップ {{step}} · {{tier}}',
    live: 'ライブ更新中',
  },
  presets: {
    '5m': '過去 5 分', '15m': '過去 15 分', '30m': '過去 30 分', '1h': '過去 1 時間', '3h': '過去 3 時間',
    '6h': '過去 6 時間', '12h': '過去 12 時間', '24h': '過去 24 時間', '2d': '過去 2 日', '7d': '過去 7 日',
    '30d': '過去 30 日', '90d': '過去 90 日', '180d': '過去 180 日', '1y': '過去 1 年', '2y': '過去 2 年',
  },
  tier: { raw: '生サンプル', '5m': '5 分集計', '1h': '1 時間集計' },
  compare: {
    label: '比較',
    none: '比較なし',
    '1d': '1 日前',
    '1w': '1 週間前',
    '30d': '30 日前',
    prev: '前の期間',
    series: '{{name}}（以前）',
  },
  breakdown: {
    filesystem: 'ファイルシステム使用率',
    nic: 'インターフェース別ネットワーク',
    processCpu: 'CPU 上位プロセス（コア）',
    processMemory: 'メモリ上位プロセス',
  },
  alerts: { title: 'このノードのアラート', none: 'アクティブなアラートはありません', name: 'アラート', level: 'レベル', since: '開始', summary: '概要' },
  configVersion: '設定バージョン',
  theme: { label: 'テーマ', light: 'ライト', dark: 'ダーク' },
};
