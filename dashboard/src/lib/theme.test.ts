import { describe, expect, it } from 'vitest';
import { initialTheme, setTheme } from './theme';

describe('theme', () => {
  it('keeps a stored choice over the system preference', () => {
    expect(initialTheme('dark', false)).toBe('dark');
    expect(initialTheme('light', true)).toBe('light');
    expect(initialTheme(null, true)).toBe('dark');
    expect(initialTheme('purple', false)).toBe('light');
  });

  it('persists the choice and marks the document', () => {
    setTheme('dark');
    expect(localStorage.getItem('syslens.theme')).toBe('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    setTheme('light');
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});
