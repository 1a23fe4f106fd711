/** The media type Fastify gives a JSON answer it serialises itself; a JsonAnswer is sent with the same. */
export const JSON_MEDIA_TYPE = 'application/json; charset=utf-8';

/**
 * A read-model answer serialised once, when it is computed: the answers kept by AnswerCache are sent to every
 * identical request as this text, instead of being serialised again for each (JSON.stringify of a dashboard was
 * ~5% of the server's CPU on a dashboard request, in a profile). ReadYourWritesInterceptor sends the text as it is;
 * anything else that meets one (a serialiser, a test) sees the value through toJSON.
 */
export class JsonAnswer {
  readonly text: string;

  constructor(value: unknown) {
    const text = JSON.stringify(value) as string | undefined;
    // JSON.stringify answers undefined (not text) for undefined: the answer of an endpoint is always a value.
    if (text === undefined) throw new TypeError('A read-model answer must be a JSON value');
    this.text = text;
  }

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}
