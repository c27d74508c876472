import { useEffect, useState } from 'react';

export type Route = { page: 'nodes' } | { page: 'node'; id: string };

/** Parses the hash: `#/nodes/<id>` is a node's detail page, anything else the node list. */
export function parseRoute(hash: string): Route {
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
