/**
 * The shell's icon set: 24×24 stroke paths drawn for this project (no icon CDN, nothing to fetch).
 * Module manifests name an icon; unknown names fall back to `puzzle`.
 */
export const ICONS: Record<string, readonly string[]> = {
  home: ['M3 11 12 3.5 21 11', 'M5.5 9v11.5h5v-6h3v6h5V9'],
  binoculars: [
    'M2.5 16.5a4 4 0 1 0 8 0a4 4 0 1 0 -8 0',
    'M13.5 16.5a4 4 0 1 0 8 0a4 4 0 1 0 -8 0',
    'M10.5 16.5h3',
    'M3.2 14.2 5.5 5.5h3.5l1.5 8',
    'M20.8 14.2 18.5 5.5H15l-1.5 8',
  ],
  upload: ['M12 15.5V4', 'M7 9l5-5 5 5', 'M4 15v5h16v-5'],
  'check-circle': ['M21 12a9 9 0 1 1-18 0a9 9 0 1 1 18 0', 'M8 12.5l2.8 2.8 5.7-5.8'],
  'log-out': ['M14 4h5v16h-5', 'M9.5 8 5.5 12l4 4', 'M5.5 12H16'],
  layers: ['M12 3.5 2.5 8.5l9.5 5 9.5-5z', 'M2.5 12.5l9.5 5 9.5-5', 'M2.5 16.5l9.5 5 9.5-5'],
  alert: ['M12 3.5 2 20.5h20z', 'M12 10v5', 'M12 17.6v.4'],
  close: ['M6 6l12 12', 'M18 6 6 18'],
  user: ['M16 8a4 4 0 1 1-8 0a4 4 0 1 1 8 0', 'M4 20.5c.8-4 4-6 8-6s7.2 2 8 6'],
  puzzle: ['M4 8h4.5a2 2 0 1 1 3.5 0H16v4a2 2 0 1 1 0 3.5v4.5H4v-4.5a2 2 0 1 0 0-3.5z'],
  'map-pin': [
    'M12 21s-7-6.3-7-11.5a7 7 0 1 1 14 0C19 14.7 12 21 12 21z',
    'M14.5 9.5a2.5 2.5 0 1 1-5 0a2.5 2.5 0 1 1 5 0',
  ],
  star: ['M12 3.2l2.7 5.6 6.1.8-4.5 4.2 1.1 6-5.4-2.9-5.4 2.9 1.1-6-4.5-4.2 6.1-.8z'],
  shield: ['M12 3 4.5 6v6c0 4.5 3.2 7.8 7.5 9 4.3-1.2 7.5-4.5 7.5-9V6z', 'M9 12l2 2 4-4'],
}

export function iconPaths(name: string): readonly string[] {
  return ICONS[name] ?? ICONS.puzzle!
}
