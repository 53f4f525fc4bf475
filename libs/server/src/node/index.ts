/** Node-only pieces of @atoms/server: the `node:http` adapter and the Redis rate limiter. */
export { toNodeListener, type NodeListenerOptions, type WebHandler } from './node-listener.js';
export { createRedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js';
