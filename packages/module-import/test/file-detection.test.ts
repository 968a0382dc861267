import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { detectEncoding, detectFormat, detectSeparator, headText } from '../src/file-detection.ts'

describe('file detection on the head of a file', () => {
  it('keeps UTF-8 when the head cuts a multi-byte character, unless the file ends there', () => {
    const bytes = Buffer.from('nom_cite;commentaire\nÉcureuil;été\n', 'utf8')
    const cut = bytes.subarray(0, bytes.indexOf(Buffer.from('été', 'utf8')) + 1) // half of "é"
    expect(detectEncoding(cut, false)).toEqual({ encoding: 'utf-8', bom: false })
    expect(detectEncoding(cut, true).encoding).not.toBe('utf-8')
  })

  it('reads Latin-1/Windows-1252 bytes as Windows-1252 (œ and € exist only there)', () => {
    const text = 'nom;remarque\nŒdicnème criard;œuf trouvé, 5 € la boîte à côté\nMésange;déjà été vue\n'
    const { encoding } = detectEncoding(iconv.encode(text, 'windows-1252'), true)
    expect(encoding).toBe('windows-1252')
    expect(headText(iconv.encode(text, 'windows-1252'), true, encoding)).toBe(text)
  })

  it('drops the partial last line of a truncated head', () => {
    expect(headText(Buffer.from('a;b\n1;2\n3;', 'utf8'), false, 'utf-8')).toBe('a;b\n1;2\n')
  })

  it('picks the separator with the most consistent column count, quotes respected', () => {
    expect(detectSeparator('a;b;c\n"x, y";2;3\n"1,2";5;6\n')).toBe(';')
    expect(detectSeparator('a,b,c\n"x; y",2,3\n"u;v;w",5,6\n')).toBe(',')
    expect(detectSeparator('a\tb\tc\nx, y\t2\t3\n')).toBe('\t')
    expect(detectSeparator('a|b\n1;2|3\n')).toBe('|')
    expect(detectSeparator('only_one_column\nvalue\n')).toBe(',')
  })

  it('takes a file starting with { for GeoJSON', () => {
    expect(detectFormat('  \n{"type":"FeatureCollection"')).toBe('geojson')
    expect(detectFormat('cd_nom;nom_cite')).toBe('csv')
  })
})
