/** UI strings. Every language has exactly the same keys (a unit test checks this). */
const en = {
  app: {
    name: 'SysLens',
    tagline: 'Fleet monitoring',
  },
  header: {
    language: 'Language',
    logout: 'Log out',
    signedInAs: 'Signed in as {{user}}',
  },
  login: {
    title: 'Sign in',
    subtitle: 'Monitor your fleet in real time',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    usernameRequired: 'Please enter your username',
    passwordRequired: 'Please enter your password',
    invalid: 'Invalid username or password',
    failed: 'Sign-in failed: {{reason}}',
    sessionExpired: 'Your session has expired. Please sign in again.',
  },
  live: {
    connected: 'Live',
    connecting: 'Connecting…',
    reconnecting: 'Reconnecting…',
  },
  nodes: {
    title: 'Nodes',
    search: 'Search host, ID, OS or label',
    summary: '{{online}} online · {{offline}} offline · {{total}} total',
    empty: 'No nodes yet. Start an agent to see it here.',
    noMatch: 'No node matches “{{search}}”.',
    loadError: 'Could not load nodes: {{error}}',
    columns: {
      host: 'Host',
      status: 'Status',
      cpu: 'CPU',
      memory: 'Memory',
      labels: 'Labels',
      lastSeen: 'Last seen',
    },
  },
  status: {
    online: 'Online',
    offline: 'Offline',
  },
  detail: {
    back: 'All nodes',
    os: 'Operating system',
    agentVersion: 'Agent version',
    labels: 'Labels',
    lastSeen: 'Last seen',
    noLabels: 'None',
    notFound: 'Node “{{id}}” is not known.',
    loadError: 'Could not load history: {{error}}',
    range: 'Last hour, updating live',
  },
  charts: {
    cpu: 'CPU usage',
    memory: 'Memory usage',
    network: 'Network traffic',
    disk: 'Disk I/O',
    cpuSeries: 'CPU',
    memorySeries: 'Memory',
    rx: 'Received',
    tx: 'Sent',
    read: 'Read',
    write: 'Written',
    noData: 'No data yet',
  },
  time: {
    secondsAgo: '{{count}} s ago',
    minutesAgo: '{{count}} min ago',
    hoursAgo: '{{count}} h ago',
    daysAgo: '{{count}} d ago',
    never: 'Never',
  },
  errors: {
    network: 'The server cannot be reached',
    server: 'Server error ({{status}})',
  },
};

export type Resources = typeof en;

const zhCN: Resources = {
  app: {
    name: 'SysLens',
    tagline: '集群监控',
  },
  header: {
    language: '语言',
    logout: '退出登录',
    signedInAs: '当前用户：{{user}}',
  },
  login: {
    title: '登录',
    subtitle: '实时监控您的服务器集群',
    username: '用户名',
    password: '密码',
    submit: '登录',
    usernameRequired: '请输入用户名',
    passwordRequired: '请输入密码',
    invalid: '用户名或密码错误',
    failed: '登录失败：{{reason}}',
    sessionExpired: '会话已过期，请重新登录。',
  },
  live: {
    connected: '实时',
    connecting: '正在连接…',
    reconnecting: '正在重新连接…',
  },
  nodes: {
    title: '节点',
    search: '搜索主机、ID、操作系统或标签',
    summary: '在线 {{online}} · 离线 {{offline}} · 共 {{total}} 个',
    empty: '暂无节点。启动代理后即可在此看到。',
    noMatch: '没有与“{{search}}”匹配的节点。',
    loadError: '无法加载节点：{{error}}',
    columns: {
      host: '主机',
      status: '状态',
      cpu: 'CPU',
      memory: '内存',
      labels: '标签',
      lastSeen: '最后上报',
    },
  },
  status: {
    online: '在线',
    offline: '离线',
  },
  detail: {
    back: '全部节点',
    os: '操作系统',
    agentVersion: '代理版本',
    labels: '标签',
    lastSeen: '最后上报',
    noLabels: '无',
    notFound: '未知节点“{{id}}”。',
    loadError: '无法加载历史数据：{{error}}',
    range: '最近一小时，实时更新',
  },
  charts: {
    cpu: 'CPU 使用率',
    memory: '内存使用率',
    network: '网络流量',
    disk: '磁盘读写',
    cpuSeries: 'CPU',
    memorySeries: '内存',
    rx: '接收',
    tx: '发送',
    read: '读取',
    write: '写入',
    noData: '暂无数据',
  },
  time: {
    secondsAgo: '{{count}} 秒前',
    minutesAgo: '{{count}} 分钟前',
    hoursAgo: '{{count}} 小时前',
    daysAgo: '{{count}} 天前',
    never: '从未',
  },
  errors: {
    network: '无法连接到服务器',
    server: '服务器错误（{{status}}）',
  },
};

const jaJP: Resources = {
  app: {
    name: 'SysLens',
    tagline: 'フリート監視',
  },
  header: {
    language: '言語',
    logout: 'ログアウト',
    signedInAs: 'ログイン中: {{user}}',
  },
  login: {
    title: 'ログイン',
    subtitle: 'サーバー群をリアルタイムで監視',
    username: 'ユーザー名',
    password: 'パスワード',
    submit: 'ログイン',
    usernameRequired: 'ユーザー名を入力してください',
    passwordRequired: 'パスワードを入力してください',
    invalid: 'ユーザー名またはパスワードが正しくありません',
    failed: 'ログインに失敗しました: {{reason}}',
    sessionExpired: 'セッションの有効期限が切れました。もう一度ログインしてください。',
  },
  live: {
    connected: 'ライブ',
    connecting: '接続中…',
    reconnecting: '再接続中…',
  },
  nodes: {
    title: 'ノード一覧',
    search: 'ホスト、ID、OS、ラベルで検索',
    summary: 'オンライン {{online}} · オフライン {{offline}} · 合計 {{total}}',
    empty: 'ノードがありません。エージェントを起動するとここに表示されます。',
    noMatch: '「{{search}}」に一致するノードはありません。',
    loadError: 'ノードを読み込めませんでした: {{error}}',
    columns: {
      host: 'ホスト',
      status: '状態',
      cpu: 'CPU',
      memory: 'メモリ',
      labels: 'ラベル',
      lastSeen: '最終受信',
    },
  },
  status: {
    online: 'オンライン',
    offline: 'オフライン',
  },
  detail: {
    back: 'ノード一覧',
    os: 'オペレーティングシステム',
    agentVersion: 'エージェントのバージョン',
    labels: 'ラベル',
    lastSeen: '最終受信',
    noLabels: 'なし',
    notFound: 'ノード「{{id}}」は見つかりません。',
    loadError: '履歴を読み込めませんでした: {{error}}',
    range: '過去 1 時間（ライブ更新）',
  },
  charts: {
    cpu: 'CPU 使用率',
    memory: 'メモリ使用率',
    network: 'ネットワーク通信量',
    disk: 'ディスク I/O',
    cpuSeries: 'CPU',
    memorySeries: 'メモリ',
    rx: '受信',
    tx: '送信',
    read: '読み取り',
    write: '書き込み',
    noData: 'データはまだありません',
  },
  time: {
    secondsAgo: '{{count}} 秒前',
    minutesAgo: '{{count}} 分前',
    hoursAgo: '{{count}} 時間前',
    daysAgo: '{{count}} 日前',
    never: 'なし',
  },
  errors: {
    network: 'サーバーに接続できません',
    server: 'サーバーエラー（{{status}}）',
  },
};

export const SUPPORTED_LANGUAGES = ['en', 'zh-CN', 'ja-JP'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

/** Names shown in the language switch, each in its own language. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  'zh-CN': '简体中文',
  'ja-JP': '日本語',
};

export const resources: Record<Language, Resources> = { en, 'zh-CN': zhCN, 'ja-JP': jaJP };
