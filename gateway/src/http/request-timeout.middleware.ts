import type { Request, RequestHandler } from 'express';
import { HttpProblem, sendProblem } from './problem';

/**
 * Gives every request a deadline. Calls downstream carry what remains of it (and fail as 504 when it passes);
 * should anything still be pending then, the client gets a 504 problem rather than a hanging socket.
 * Streaming routes (SSE, exports) are exempt from the answer timer but still have a deadline for their setup.
 */
export function requestTimeout(timeoutMs: number, isStreaming: (req: Request) => boolean): RequestHandler {
  return (req, res, next) => {
    req.deadline = new Date(Date.now() + timeoutMs);
    if (isStreaming(req)) return next();
    const timer = setTimeout(() => {
      if (!res.headersSent) sendProblem(res, new HttpProblem(504, 'The request took too long'));
    }, timeoutMs + 50);
    // 'close' follows every 'finish' (and a client gone before the answer), so one listener clears it.
    res.once('close', () => clearTimeout(timer));
    next();
  };
}

export function deadlineOf(req: Request): Date {
  return req.deadline ?? new Date(Date.now() + 10_000);
}
