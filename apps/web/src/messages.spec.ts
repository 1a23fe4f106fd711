import { HTTP_STATUS_OF, RAISED_ERROR_CODES } from '../../api/src/http/error-status.js';
import { ERROR_MESSAGES, errorMessage, messageForStatus } from './messages.js';

const HAN = /[\u4e00-\u9fff]/;
const LATIN_WORD = /[A-Za-z]{2,}/;
/** File formats are named as users know them (the upload form lists them too); no other Latin word may appear. */
const FILE_FORMATS = /\b(PDF|OFD|JPEG|PNG|DOCX|XLSX)\b/g;

describe('the web’s Chinese error messages', () => {
  const codes = Object.keys(HTTP_STATUS_OF);

  it.each(codes)('has a Chinese sentence for %s, with no English in it', (code) => {
    const message = errorMessage(code, HTTP_STATUS_OF[code as keyof typeof HTTP_STATUS_OF]);
    expect(ERROR_MESSAGES[code]).toBe(message);
    expect(message).toMatch(HAN);
    expect(message.replace(FILE_FORMATS, '')).not.toMatch(LATIN_WORD);
  });

  it('covers every code the domain and the application raise', () => {
    expect(RAISED_ERROR_CODES.filter((code) => !(code in ERROR_MESSAGES))).toEqual([]);
  });

  it('keeps no message for a code the API no longer answers (NETWORK is the web’s own)', () => {
    expect(Object.keys(ERROR_MESSAGES).filter((code) => code !== 'NETWORK' && !codes.includes(code))).toEqual([]);
  });

  it.each([0, 400, 401, 403, 404, 409, 412, 413, 422, 429, 500, 502, 503])(
    'answers an unknown code with status %i in Chinese',
    (status) => {
      const message = errorMessage('SOMETHING_NEW', status);
      expect(message).toBe(messageForStatus(status));
      expect(message).toMatch(HAN);
      expect(message).not.toMatch(LATIN_WORD);
    },
  );
});
