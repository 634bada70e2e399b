/**
 * What a browser does in a single sign-on, by hand: keeps cookies per host, follows redirects, and fills in the test
 * IdP's own login and consent forms. Each step can be stopped and altered, as an attacker or a broken IdP would.
 */
export class SsoBrowser {
  readonly #jar = new Map<string, Map<string, string>>();

  #cookieHeader(url: URL): string {
    const cookies = this.#jar.get(url.host);
    return cookies ? [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') : '';
  }

  #store(url: URL, res: Response) {
    const cookies = this.#jar.get(url.host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired) cookies.delete(name);
      else cookies.set(name, pair!.slice(eq + 1).trim());
    }
    this.#jar.set(url.host, cookies);
  }

  cookie(host: string, name: string): string | undefined {
    return this.#jar.get(host)?.get(name);
  }

  setCookie(host: string, name: string, value: string) {
    const cookies = this.#jar.get(host) ?? new Map<string, string>();
    cookies.set(name, value);
    this.#jar.set(host, cookies);
  }

  /** One request without following redirects. */
  async request(url: string | URL, init: { method?: string; form?: Record<string, string> } = {}) {
    const target = new URL(url);
    const res = await fetch(target, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        cookie: this.#cookieHeader(target),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    this.#store(target, res);
    const location = res.headers.get('location');
    return { res, location: location ? new URL(location, target) : undefined, text: await res.text() };
  }

  /** Follows redirects until a page that is not a redirect, or until `stopAt` says the next URL is the one to keep. */
  async follow(url: string | URL, stopAt: (next: URL) => boolean = () => false, form?: Record<string, string>) {
    let answer = await this.request(url, form ? { form } : {});
    for (let hops = 0; answer.location && hops < 20; hops++) {
      if (stopAt(answer.location)) return { ...answer, stoppedAt: answer.location };
      answer = await this.request(answer.location);
    }
    return { ...answer, stoppedAt: undefined };
  }

  /**
   * From the app's start URL through the IdP's login and consent pages, up to (not into) the app's callback; returns
   * the callback URL the IdP sent the browser to. `alterAuthorize` may change the request to the IdP first.
   */
  async signInAtIdp(
    startUrl: string,
    login: string,
    options: { alterAuthorize?: (url: URL) => URL; callbackPrefix: string },
  ): Promise<URL> {
    const atIdp = (next: URL) => !next.href.startsWith(options.callbackPrefix.replace(/\/api\/v1.*$/, ''));
    const started = await this.follow(startUrl, atIdp);
    if (!started.stoppedAt) throw new Error(`start did not redirect to the IdP: ${started.res.status} ${started.text}`);
    const authorize = options.alterAuthorize ? options.alterAuthorize(started.stoppedAt) : started.stoppedAt;
    const toCallback = (next: URL) => next.href.startsWith(options.callbackPrefix);
    let page = await this.follow(authorize, toCallback);
    for (let step = 0; !page.stoppedAt && step < 4; step++) {
      const action = /<form[^>]*action="([^"]+)"/.exec(page.text)?.[1];
      const prompt = /name="prompt" value="(\w+)"/.exec(page.text)?.[1];
      if (!action || !prompt) throw new Error(`no IdP form on the page: ${page.res.status} ${page.text.slice(0, 300)}`);
      const form: Record<string, string> =
        prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt };
      page = await this.follow(new URL(action.replace(/&amp;/g, '&'), page.res.url), toCallback, form);
    }
    if (!page.stoppedAt) throw new Error('the IdP never redirected back to the app');
    return page.stoppedAt;
  }
}

/** The fragment the callback put on the admin app's URL: `sso_code` or `sso_error`. */
export function fragmentOf(location: URL | undefined): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(location?.hash.slice(1) ?? ''));
}
