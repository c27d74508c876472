import { useEffect, useState } from 'react';
import { ADMIN_SECTIONS, type AdminSection } from './admin';
import { VSPHERE_TABS, type VsphereTab } from './vsphere';

export const ALERT_TABS = ['firing', 'history', 'rules', 'silences', 'receivers'] as const;
export type AlertsTab = (typeof ALERT_TABS)[number];

export type Route =
  | { page: 'overview' }
  | { page: 'nodes' }
  | { page: 'node'; id: string; query: string }
  | { page: 'dashboards' }
  | { page: 'dashboard'; id: string; query: string }
  | { page: 'alerts'; tab: AlertsTab; rule?: string }
  | { page: 'admin'; section: AdminSection }
  | { page: 'vsphere'; tab: VsphereTab }
  | { page: 'reports'; tab: ReportsTab; id?: string };

export const REPORT_TABS = ['history', 'schedules'] as const;
export type ReportsTab = (typeof REPORT_TABS)[number];

/**
 * Parses the hash: `#/nodes/<id>` is a node's detail page, `#/alerts/<tab>` an alerts page,
 * `#/admin/<section>` administration, `#/vsphere/<tab>` the vSphere pages, `#/nodes` the node list, anything else the fleet overview.
 */
export function parseRoute(hash: string): Route {
  const alerts = /^#\/alerts(?:\/([a-z]+))?\/?(?:\?(.*))?$/.exec(hash);
  if (alerts) {
    const tab = (ALERT_TABS as readonly string[]).includes(alerts[1] ?? '') ? (alerts[1] as AlertsTab) : 'firing';
    const rule = new URLSearchParams(alerts[2] ?? '').get('rule');
    return rule ? { page: 'alerts', tab, rule } : { page: 'alerts', tab };
  }
  // A rule's generatorURL (`#/explore?expr=...&rule=...`, in every notification) opens its history.
  const explore = /^#\/explore\?(.*)$/.exec(hash);
  if (explore) {
    const rule = new URLSearchParams(explore[1]).get('rule');
    return rule ? { page: 'alerts', tab: 'history', rule } : { page: 'alerts', tab: 'rules' };
  }
  // `#/reports/<id>` (the link in a scheduled report's mail) opens that report's preview.
  const reports = /^#\/reports(?:\/([^/?]+))?\/?$/.exec(hash);
  if (reports) {
    const part = reports[1] ?? 'history';
    if ((REPORT_TABS as readonly string[]).includes(part)) return { page: 'reports', tab: part as ReportsTab };
    return /^[0-9a-f]{32}$/.test(part) ? { page: 'reports', tab: 'history', id: part } : { page: 'reports', tab: 'history' };
  }
  const admin = /^#\/admin(?:\/([a-z]+))?\/?$/.exec(hash);
  if (admin) {
    const section = (ADMIN_SECTIONS as readonly string[]).includes(admin[1] ?? '') ? (admin[1] as AdminSection) : 'users';
    return { page: 'admin', section };
  }
  const vsphere = /^#\/vsphere(?:\/([a-z]+))?\/?$/.exec(hash);
  if (vsphere) {
    const tab = (VSPHERE_TABS as readonly string[]).includes(vsphere[1] ?? '') ? (vsphere[1] as VsphereTab) : 'inventory';
    return { page: 'vsphere', tab };
  }
  // The query after the id carries the time range (lib/timeRange.ts); an id's own '?' is encoded.
  const m = /^#\/nodes\/([^?]+)(?:\?(.*))?$/.exec(hash);
  if (m) {
    try {
      return { page: 'node', id: decodeURIComponent(m[1]), query: m[2] ?? '' };
    } catch {
      return { page: 'nodes' };
    }
  }
  const d = /^#\/dashboards\/([^?]+)(?:\?(.*))?$/.exec(hash);
  if (d) {
    try {
      return { page: 'dashboard', id: decodeURIComponent(d[1]), query: d[2] ?? '' };
    } catch {
      return { page: 'dashboards' };
    }
  }
  if (/^#\/dashboards\/?$/.test(hash)) return { page: 'dashboards' };
  if (/^#\/nodes\/?$/.test(hash)) return { page: 'nodes' };
  return { page: 'overview' };
}

export const NODES_HREF = '#/nodes';

export function nodeHref(id: string, query = ''): string {
  return `#/nodes/${encodeURIComponent(id)}${query ? `?${query}` : ''}`;
}

export const DASHBOARDS_HREF = '#/dashboards';

export function dashboardHref(id: string, query = ''): string {
  return `#/dashboards/${encodeURIComponent(id)}${query ? `?${query}` : ''}`;
}

export function alertsHref(tab: AlertsTab): string {
  return `#/alerts/${tab}`;
}

export function reportsHref(tab: ReportsTab): string {
  return `#/reports/${tab}`;
}

export function adminHref(section: AdminSection): string {
  return `#/admin/${section}`;
}

export function navigate(href: string): void {
  window.location.hash = href.startsWith('#') ? href.slice(1) : href;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
