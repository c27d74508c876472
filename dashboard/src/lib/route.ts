import { useEffect, useState } from 'react';
import { ADMIN_SECTIONS, type AdminSection } from './admin';

export type Route = { page: 'nodes' } | { page: 'node'; id: string } | { page: 'admin'; section: AdminSection };

/** Parses the hash: `#/nodes/<id>` is a node's detail page, `#/admin/<section>` administration, anything else the node list. */
export function parseRoute(hash: string): Route {
  const admin = /^#\/admin(?:\/([a-z]+))?\/?$/.exec(hash);
  if (admin) {
    const section = (ADMIN_SECTIONS as readonly string[]).includes(admin[1] ?? '') ? (admin[1] as AdminSection) : 'users';
    return { page: 'admin', section };
  }
  const m = /^#\/nodes\/(.+)$/.exec(hash);
  if (m) {
    try {
      return { page: 'node', id: decodeURIComponent(m[1]) };
    } catch {
      return { page: 'nodes' };
    }
  }
  return { page: 'nodes' };
}

export function nodeHref(id: string): string {
  return `#/nodes/${encodeURIComponent(id)}`;
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
