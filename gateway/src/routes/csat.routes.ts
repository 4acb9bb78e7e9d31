// The public CSAT survey: no login, a signed one-time token in the path, rate-limited per client address. The
// gateway asks the ticket service with its own service token; a forged token is 404, an expired, answered or
// superseded one 410, and an answer is recorded once.
import { callUnary } from '../grpc/unary-call';
import { defineRoute, type Route } from '../http/route';
import { HttpProblem } from '../http/problem';
import { jsonOf } from '../mappers/json-of';
import { csatAnswerSchema, csatResultSchema, csatSurveySchema, csatTokenParams } from '../schemas/ticket.schema';
import { ok } from './common-responses';
import { asGateway } from './route-helpers';

const TAG = 'CSAT (public)';
const PATH = '/api/v1/public/csat/{token}';

/** Spent, expired or replaced links are gone for good: 410 rather than 412. */
function goneOrRethrow(error: unknown): never {
  const reason = error instanceof HttpProblem ? String(error.problem.reason ?? '') : '';
  if (error instanceof HttpProblem && error.status === 409 && reason.startsWith('CSAT_'))
    throw new HttpProblem(410, 'This survey link can no longer be used', { reason });
  throw error;
}

const CSAT_PROBLEMS = {
  404: 'No survey behind this link (a forged or unknown token)',
  410: 'The survey was answered already, or its link has expired',
};

export const csatRoutes: Route[] = [
  defineRoute({
    method: 'get',
    path: PATH,
    operationId: 'getCsatSurvey',
    summary: 'The survey behind a one-time link (no login)',
    tag: TAG,
    publicRateLimit: true,
    problems: CSAT_PROBLEMS,
    params: csatTokenParams,
    responses: [ok(csatSurveySchema, 'The survey')],
    handler: async ({ params, clients, downstream }) => {
      const response = await callUnary(
        await asGateway(clients, downstream),
        clients.tickets.getCsatSurvey.bind(clients.tickets),
        {
          token: params.token,
        },
      ).catch(goneOrRethrow);
      return { status: 200, body: jsonOf(response) };
    },
  }),
  defineRoute({
    method: 'post',
    path: PATH,
    operationId: 'answerCsatSurvey',
    summary: 'Answer the survey once: good or bad, and a comment (no login)',
    tag: TAG,
    publicRateLimit: true,
    problems: CSAT_PROBLEMS,
    params: csatTokenParams,
    body: csatAnswerSchema,
    responses: [ok(csatResultSchema, 'The recorded answer')],
    handler: async ({ params, body, clients, downstream }) => {
      const response = await callUnary(
        await asGateway(clients, downstream),
        clients.tickets.submitCsat.bind(clients.tickets),
        {
          token: params.token,
          rating: body.rating,
          comment: body.comment,
        },
      ).catch(goneOrRethrow);
      return { status: 200, body: jsonOf(response.csat) };
    },
  }),
];
