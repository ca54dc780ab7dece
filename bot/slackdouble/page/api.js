// Talking to the local workspace: JSON reads and writes under /local/api/.

const UNREACHABLE = "Baton's local workspace did not answer: ";

/** An error whose message can be shown to the person as is. */
class PageError extends Error {}

async function call(path, init, timeoutMs) {
  const ctl = new AbortController();
  // The time limit covers the answer's body too: a body that stalls would hold its pane for good.
  const timer = timeoutMs ? setTimeout(() => ctl.abort(), timeoutMs) : 0;
  const tooLong = () => new PageError(`${UNREACHABLE}it took too long.`);
  try {
    let res;
    try {
      res = await fetch(path, { ...init, signal: ctl.signal, credentials: 'same-origin', cache: 'no-store' });
    } catch (err) {
      throw err.name === 'AbortError' ? tooLong() : new PageError(`${UNREACHABLE}the connection failed.`);
    }
    let body = null;
    try {
      body = await res.json();
    } catch (err) {
      // Not JSON: body stays null, and what that means is said below.
      if (err.name === 'AbortError') throw tooLong();
    }
    if (!res.ok) {
      if (body && typeof body.error === 'string' && body.error) throw new PageError(body.error);
      throw new PageError(`${UNREACHABLE}HTTP ${res.status} ${res.statusText}`.trim());
    }
    if (!body || typeof body !== 'object') throw new PageError(`${UNREACHABLE}the answer was not JSON.`);
    return body;
  } finally {
    clearTimeout(timer);
  }
}

/** GET a read; answers with ok:false become errors. */
export async function get(path, params) {
  const q = params ? `?${new URLSearchParams(params)}` : '';
  const body = await call(path + q, { method: 'GET', headers: { Accept: 'application/json' } }, 20000);
  if (body.ok === false) throw new PageError(body.error || 'The workspace refused this request.');
  return body;
}

/**
 * POST a write. Resolves to the answer, including {ok:false, error|errors} for the caller to show;
 * rejects only when the workspace did not answer. timeoutMs 0 waits as long as it takes.
 */
export function post(path, body, timeoutMs = 30000) {
  return call(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  }, timeoutMs);
}
