import { evidenceArchivePath, evidenceExtension } from './packet-format';

describe('evidence file names in the archive', () => {
  it('take the extension of the type sniffed from the bytes, whatever the name says', () => {
    expect(evidenceExtension('video/mp4', 'clip.exe')).toBe('mp4');
    expect(evidenceExtension('video/mpeg', null)).toBe('mpg');
    expect(evidenceExtension('audio/aac', 'x.mp3')).toBe('aac');
    expect(evidenceArchivePath(0, 'id-1', 'video/quicktime', 'IMG_0001.MOV')).toBe('evidence/01-id-1.mov');
  });

  it('for bytes not recognised, a known media or document extension of the original name (lowercased), else bin', () => {
    expect(evidenceExtension('application/octet-stream', 'bodycam-0412.MTS')).toBe('mts');
    expect(evidenceExtension('application/octet-stream', 'export.dav')).toBe('dav');
    for (const name of [
      'run.exe',
      'page.html',
      'x.svg',
      'a.js',
      'link.lnk',
      'noext',
      '.mp4x',
      'a.mp4 ',
      'a.m p4',
      null,
    ]) {
      expect(evidenceExtension('application/octet-stream', name)).toBe('bin');
    }
    expect(evidenceArchivePath(11, 'id-2', 'application/octet-stream', null)).toBe('evidence/12-id-2.bin');
  });
});
