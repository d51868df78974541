import { loadStorageConfig } from './storage.config';

describe('STORAGE_UPLOAD_CONCURRENCY', () => {
  it('defaults to 2 parts in flight and takes 1-16', () => {
    expect(loadStorageConfig({}).uploadConcurrency).toBe(2);
    expect(loadStorageConfig({ STORAGE_UPLOAD_CONCURRENCY: '1' }).uploadConcurrency).toBe(1);
    expect(loadStorageConfig({ STORAGE_UPLOAD_CONCURRENCY: '16' }).uploadConcurrency).toBe(16);
  });

  it.each(['0', '17', '2.5', 'four'])('refuses %s, naming the setting', (v) => {
    expect(() => loadStorageConfig({ STORAGE_UPLOAD_CONCURRENCY: v })).toThrow(/STORAGE_UPLOAD_CONCURRENCY/);
  });
});
