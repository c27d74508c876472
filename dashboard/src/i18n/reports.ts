/** Strings of the reports page (`reports.*`), merged into each language's resources. Same keys in every language (resources.test.ts checks). */
const en = {
  nav: 'Reports',
  title: 'Reports',
  intro: 'Utilization, right-sizing, availability, capacity and alert reports as PDF, CSV or XLSX, run now or on a schedule.',
  tabs: { history: 'Generated reports', schedules: 'Schedules' },
  kinds: { utilization: 'Utilization', rightsizing: 'Right-sizing', availability: 'Availability', capacity: 'Capacity and growth', alerts: 'Alert summary' },
  scopes: { all: 'All nodes', group: 'Node group', cluster: 'vCenter cluster', selector: 'Label selector' },
  languages: { en: 'English', 'zh-CN': '简体中文', 'ja-JP': '日本語' },
  cadences: { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' },
  weekdays: { d1: 'Monday', d2: 'Tuesday', d3: 'Wednesday', d4: 'Thursday', d5: 'Friday', d6: 'Saturday', d7: 'Sunday' },
  columns: {
    created: 'Created', kinds: 'Kinds', scope: 'Scope', period: 'Period', format: 'Format', language: 'Language',
    size: 'Size', nodes: 'Nodes', actions: 'Actions', name: 'Name', when: 'When', recipients: 'Recipients', next: 'Next run', state: 'State',
  },
  fields: {
    kinds: 'Report kinds', scope: 'Scope', scopeValue: 'Name or selector', period: 'Period', periodHelp: 'A length ending now: 24h, 7d, 4w, 1y',
    format: 'Format', language: 'Language', timezone: 'Time zone', name: 'Name', cadence: 'Cadence', day: 'Day', dayOfMonth: 'Day of the month (1-28)',
    at: 'Time (HH:MM)', recipients: 'Recipients',
    recipientsHelp: 'One a line: user:alice (their address and language), group:operator (every user holding the role), or an address with a language, e.g. cfo@example.org ja-JP',
    email: 'My address for reports', emailHelp: 'Scheduled reports sent to you as a user or group member go here.',
  },
  actions: {
    new: 'New report', run: 'Run report', download: 'Download', preview: 'Preview', refresh: 'Refresh', cancel: 'Cancel', save: 'Save',
    newSchedule: 'New schedule', edit: 'Edit', delete: 'Delete', runNow: 'Run now', confirmDelete: 'Delete this schedule?', saveEmail: 'Save address',
  },
  messages: {
    running: 'Running the report; a long period over a large fleet takes a while…',
    done: 'Report ready: {{pages}} pages',
    noReports: 'No reports yet.', noSchedules: 'No schedules yet.', empty: 'No data in this scope over this period.',
    saved: 'Schedule saved', deleted: 'Schedule deleted', emailSaved: 'Address saved',
    ran: 'Sent to {{sent}} recipients', ranWithFailures: 'Sent to {{sent}}, failed for {{failed}}: {{why}}',
    retrying: 'Attempt {{attempt}} failed: {{error}}', scheduled: 'Scheduled', sharedBy: 'Sent by {{owner}}',
    previewOf: '{{scope}} · {{start}} – {{end}} · {{nodes}} nodes · step {{step}}',
  },
  problems: {
    scope: 'Enter the group, cluster or selector', kinds: 'Choose at least one report kind', period: 'Enter a period such as 24h, 7d, 4w or 1y',
    at: 'Enter a time HH:MM from 00:00 to 23:59', weekday: 'Choose a day of the week', monthday: 'Choose a day from 1 to 28',
    timezone: 'Enter a time zone such as Europe/Berlin', recipient: 'Not a recipient: {{value}}', noRecipients: 'Add at least one recipient',
  },
};

export type ReportsResources = typeof en;

const zhCN: ReportsResources = {
  nav: '报告',
  title: '报告',
  intro: '利用率、容量规划建议、可用性、容量与增长和告警报告，格式为 PDF、CSV 或 XLSX，可立即生成或按计划发送。',
  tabs: { history: '已生成的报告', schedules: '计划' },
  kinds: { utilization: '利用率', rightsizing: '规格建议', availability: '可用性', capacity: '容量与增长', alerts: '告警汇总' },
  scopes: { all: '全部节点', group: '节点组', cluster: 'vCenter 集群', selector: '标签选择器' },
  languages: { en: 'English', 'zh-CN': '简体中文', 'ja-JP': '日本語' },
  cadences: { daily: '每天', weekly: '每周', monthly: '每月' },
  weekdays: { d1: '星期一', d2: '星期二', d3: '星期三', d4: '星期四', d5: '星期五', d6: '星期六', d7: '星期日' },
  columns: {
    created: '生成时间', kinds: '类型', scope: '范围', period: '时间段', format: '格式', language: '语言',
    size: '大小', nodes: '节点', actions: '操作', name: '名称', when: '时间', recipients: '收件人', next: '下次运行', state: '状态',
  },
  fields: {
    kinds: '报告类型', scope: '范围', scopeValue: '名称或选择器', period: '时间段', periodHelp: '截至现在的时长：24h、7d、4w、1y',
    format: '格式', language: '语言', timezone: '时区', name: '名称', cadence: '频率', day: '日期', dayOfMonth: '每月第几天（1-28）',
    at: '时间（HH:MM）', recipients: '收件人',
    recipientsHelp: '每行一个：user:alice（该用户的邮箱和语言）、group:operator（拥有该角色的所有用户），或邮箱地址加语言，例如 cfo@example.org ja-JP',
    email: '我接收报告的邮箱', emailHelp: '以用户或组成员身份发送给您的计划报告会发到这里。',
  },
  actions: {
    new: '新建报告', run: '生成报告', download: '下载', preview: '预览', refresh: '刷新', cancel: '取消', save: '保存',
    newSchedule: '新建计划', edit: '编辑', delete: '删除', runNow: '立即运行', confirmDelete: '删除此计划？', saveEmail: '保存邮箱',
  },
  messages: {
    running: '正在生成报告；大规模节点的长时间段需要一些时间…',
    done: '报告已生成：共 {{pages}} 页',
    noReports: '还没有报告。', noSchedules: '还没有计划。', empty: '此范围在此时间段内没有数据。',
    saved: '计划已保存', deleted: '计划已删除', emailSaved: '邮箱已保存',
    ran: '已发送给 {{sent}} 位收件人', ranWithFailures: '已发送 {{sent}} 位，{{failed}} 位失败：{{why}}',
    retrying: '第 {{attempt}} 次尝试失败：{{error}}', scheduled: '计划生成', sharedBy: '由 {{owner}} 发送',
    previewOf: '{{scope}} · {{start}} – {{end}} · {{nodes}} 个节点 · 步长 {{step}}',
  },
  problems: {
    scope: '请输入节点组、集群或选择器', kinds: '请至少选择一种报告类型', period: '请输入时间段，例如 24h、7d、4w 或 1y',
    at: '请输入 00:00 到 23:59 之间的时间 HH:MM', weekday: '请选择星期几', monthday: '请选择 1 到 28 之间的日期',
    timezone: '请输入时区，例如 Asia/Shanghai', recipient: '无效的收件人：{{value}}', noRecipients: '请至少添加一位收件人',
  },
};

const jaJP: ReportsResources = {
  nav: 'レポート',
  title: 'レポート',
  intro: '使用率、サイズ適正化、可用性、容量と増加傾向、アラートのレポートを PDF・CSV・XLSX で、今すぐまたはスケジュールで作成します。',
  tabs: { history: '作成済みレポート', schedules: 'スケジュール' },
  kinds: { utilization: '使用率', rightsizing: 'サイズ適正化', availability: '可用性', capacity: '容量と増加傾向', alerts: 'アラート概要' },
  scopes: { all: '全ノード', group: 'ノードグループ', cluster: 'vCenter クラスター', selector: 'ラベルセレクター' },
  languages: { en: 'English', 'zh-CN': '简体中文', 'ja-JP': '日本語' },
  cadences: { daily: '毎日', weekly: '毎週', monthly: '毎月' },
  weekdays: { d1: '月曜日', d2: '火曜日', d3: '水曜日', d4: '木曜日', d5: '金曜日', d6: '土曜日', d7: '日曜日' },
  columns: {
    created: '作成日時', kinds: '種類', scope: '範囲', period: '期間', format: '形式', language: '言語',
    size: 'サイズ', nodes: 'ノード', actions: '操作', name: '名前', when: '実行時刻', recipients: '宛先', next: '次回実行', state: '状態',
  },
  fields: {
    kinds: 'レポートの種類', scope: '範囲', scopeValue: '名前またはセレクター', period: '期間', periodHelp: '現在までの長さ: 24h、7d、4w、1y',
    format: '形式', language: '言語', timezone: 'タイムゾーン', name: '名前', cadence: '頻度', day: '曜日', dayOfMonth: '日付（1-28）',
    at: '時刻（HH:MM）', recipients: '宛先',
    recipientsHelp: '1 行に 1 件: user:alice（そのユーザーのアドレスと言語）、group:operator（そのロールを持つ全ユーザー）、またはアドレスと言語（例: cfo@example.org ja-JP）',
    email: 'レポートを受け取るアドレス', emailHelp: 'ユーザーまたはグループのメンバーとして送られるスケジュールレポートの宛先です。',
  },
  actions: {
    new: '新しいレポート', run: 'レポートを作成', download: 'ダウンロード', preview: 'プレビュー', refresh: '更新', cancel: 'キャンセル', save: '保存',
    newSchedule: '新しいスケジュール', edit: '編集', delete: '削除', runNow: '今すぐ実行', confirmDelete: 'このスケジュールを削除しますか？', saveEmail: 'アドレスを保存',
  },
  messages: {
    running: 'レポートを作成しています。大規模な環境の長い期間は時間がかかります…',
    done: 'レポートを作成しました: {{pages}} ページ',
    noReports: 'レポートはまだありません。', noSchedules: 'スケジュールはまだありません。', empty: 'この範囲・期間のデータはありません。',
    saved: 'スケジュールを保存しました', deleted: 'スケジュールを削除しました', emailSaved: 'アドレスを保存しました',
    ran: '{{sent}} 件の宛先に送信しました', ranWithFailures: '{{sent}} 件に送信、{{failed}} 件は失敗: {{why}}',
    retrying: '{{attempt}} 回目の試行が失敗: {{error}}', scheduled: 'スケジュール', sharedBy: '{{owner}} から送信',
    previewOf: '{{scope}} · {{start}} – {{end}} · {{nodes}} ノード · ステップ {{step}}',
  },
  problems: {
    scope: 'グループ、クラスター、またはセレクターを入力してください', kinds: 'レポートの種類を 1 つ以上選んでください', period: '24h、7d、4w、1y のように期間を入力してください',
    at: '00:00 から 23:59 の時刻 HH:MM を入力してください', weekday: '曜日を選んでください', monthday: '1 から 28 の日付を選んでください',
    timezone: 'Asia/Tokyo のようにタイムゾーンを入力してください', recipient: '宛先として無効です: {{value}}', noRecipients: '宛先を 1 件以上追加してください',
  },
};

export const reportsResources = { en, 'zh-CN': zhCN, 'ja-JP': jaJP };
