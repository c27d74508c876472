import { useSyncExternalStore } from 'react';

/** Light or dark, kept in localStorage per browser; the first visit follows the system's preference. */
export type ThemeMode = 'light' | 'dark';

const KEY = 'syslens.theme';
const listeners = new Set<() => void>();

export function initialTheme(stored: string | null, prefersDark: boolean): ThemeMode {
  return stored === 'light' || stored === 'dark' ? stored : prefersDark ? 'dark' : 'light';
}

function read(): ThemeMode {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(KEY);
  } catch {
    // storage disabled: the system preference
  }
  const prefersDark = typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
  return initialTheme(stored, prefersDark);
}

let current: ThemeMode = read();
apply(current);

function apply(mode: ThemeMode): void {
  if (typeof document !== 'undefined') {
    document.documentElement.dataset.theme = mode;
    document.documentElement.style.colorScheme = mode;
  }
}

export function setTheme(mode: ThemeMode): void {
  current = mode;
  try {
    localStorage.setItem(KEY, mode);
  } catch {
    // kept for this page only
  }
  apply(mode);
  for (const l of listeners) l();
}

export function useTheme(): ThemeMode {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, () => current);
}
