import { isSessionError } from '@atoms/session';
import type { DevIssuerWiring } from '../auth/dev-issuer-tokens.js';
import { BodyTooLargeError, readBodyText } from '../http/body-limit.js';
import { errorResponse, jsonResponse, type RequestState } from '../http/pipeline.js';

const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;

/**
 * `POST /auth/token` of the development issuer (RFC 6749 section 6): `grant_type=refresh_token` with single-use
 * rotation and reuse detection by `RefreshTokenService`; form-encoded (the standard) or JSON bodies.
 */
export function tokenEndpoint(wiring: DevIssuerWiring) {
  return async (request: Request, state: RequestState): Promise<Response> => {
    let text: string;
    try {
      text = await readBodyText(request, MAX_TOKEN_REQUEST_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return errorResponse(413, 'invalid_request', 'token request too large');
      throw error;
    }
    const params = parseParams(request.headers.get('content-type') ?? '', text);
    if (!params) return errorResponse(400, 'invalid_request', 'body must be form-encoded or JSON');
    const grant = params.get('grant_type');
    if (grant !== 'refresh_token') {
      return errorResponse(400, 'unsupported_grant_type', 'only grant_type=refresh_token is supported');
    }
    const presented = params.get('refresh_token');
    if (!presented) return errorResponse(400, 'invalid_request', 'refresh_token is required');
    try {
      const rotated = await wiring.refreshTokens.rotate(presented);
      const scopes = wiring.scopes ?? [];
      const access = await wiring.issuer.mintAccessToken({
        sub: rotated.userId,
        scopes,
        ...(rotated.sessionHandle ? { sessionId: rotated.sessionHandle } : {}),
      });
      return jsonResponse(200, {
        access_token: access.token,
        token_type: 'Bearer',
        expires_in: Math.max(0, access.expiresAt - Math.floor(Date.now() / 1000)),
        refresh_token: rotated.token,
        ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
      });
    } catch (error) {
      if (!isSessionError(error)) throw error;
      if (error.code === 'rate_limited') {
        const seconds = String(Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000)));
        return errorResponse(429, 'slow_down', 'too many refreshes; retry later', { 'retry-after': seconds });
      }
      if (error.code === 'store_unavailable') {
        state.context.logger.error({ err: error }, 'token endpoint store unavailable');
        return errorResponse(503, 'temporarily_unavailable', 'token service unavailable', { 'retry-after': '5' });
      }
      return errorResponse(400, 'invalid_grant', `the refresh token was refused (${error.code})`);
    }
  };
}

function parseParams(contentType: string, text: string): URLSearchParams | undefined {
  if (contentType.includes('application/json')) {
    try {
      const body = JSON.parse(text) as unknown;
      if (typeof body !== 'object' || body === null) return undefined;
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(body)) if (typeof value === 'string') params.set(key, value);
      return params;
    } catch {
      return undefined;
    }
  }
  return new URLSearchParams(text);
}
