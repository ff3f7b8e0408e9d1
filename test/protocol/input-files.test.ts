import fs from 'node:fs';

import { readJsonFile } from '../../src/protocol/input-files';

afterEach(() => jest.restoreAllMocks());

describe('readJsonFile', () => {
  it('a file the process may not read (EACCES) says the image runs as uid 1000 and how to fix it', () => {
    // The tests run as root, who may read any file: the refusal the OS gives uid 1000 is given here instead.
    jest.spyOn(fs, 'readFileSync').mockImplementation(() => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    });
    expect(() => readJsonFile('/secrets/config.json', 'config')).toThrow(
      /config file \/secrets\/config\.json cannot be read \(EACCES, permission denied\)\. In Docker the connector runs as uid 1000: .*--user "\$\(id -u\)"/
    );
  });
});
