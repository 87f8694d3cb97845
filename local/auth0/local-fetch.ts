/**
 * A `fetch` that sends `https://DOMAIN/...` to the stand-in's plain-HTTP loopback address and
 * everything else to the real `fetch`. Handing it to the SDK or to jose points them at the
 * stand-in without changing the URLs they build.
 */
export function localFetch(domain: string, localOrigin: string): typeof fetch {
  const target = (url: URL): URL | undefined =>
    url.protocol === "https:" && url.host.toLowerCase() === domain.toLowerCase()
      ? new URL(`${url.pathname}${url.search}`, localOrigin)
      : undefined;
  return (input, init) => {
    if (input instanceof Request) {
      const rewritten = target(new URL(input.url));
      return rewritten ? fetch(new Request(rewritten, input), init) : fetch(input, init);
    }
    const url = input instanceof URL ? input : new URL(input);
    return fetch(target(url) ?? url, init);
  };
}
