/**
 * Swift's error bodies (swob): a short HTML page with the status title and explanation,
 * `<html><h1>Not Found</h1><p>The resource could not be found.</p></html>`; keystoneauth's
 * 401 the same way. HEAD answers carry no body (the mount drops it).
 */
import type { FastifyRequest } from 'fastify';
import type { NuboError } from '../../../common/errors.js';
import type { RenderedFault } from '../../../common/http/faults.js';

/** swob's explanations of each status. */
const EXPLANATIONS: Record<number, string> = {
  400: 'The server could not comply with the request since it is either malformed or otherwise incorrect.',
  401: 'This server could not verify that you are authorized to access the document you requested.',
  403: 'Access was denied to this resource.',
  404: 'The resource could not be found.',
  405: 'The method is not allowed for this resource.',
  409: 'The request could not be completed due to a conflict with the current state of the resource.',
  411: 'Length Required',
  412: 'A precondition for this request was not met.',
  413: 'The body of your request was too large for this server.',
  416: 'The Range requested is not available.',
  422: 'Unable to process the contained instructions',
  499: 'The client disconnected during request.',
  500: 'The server has either erred or is incapable of performing the requested operation.',
  501: 'The server does not implement the requested function.',
  503: 'The server is currently unavailable. Please try again at a later time.',
};

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function swiftFault(err: NuboError, _req: FastifyRequest): RenderedFault {
  const generic = EXPLANATIONS[err.status];
  // The common errors' default sentences are replaced by swob's; a specific message is kept.
  const isDefault = /^(The resource could not be found\.|The request you have made requires authentication\.|You are not authorized to perform the requested action\.|A precondition of the request failed\.|The request conflicts with|The service is unavailable\.|An unexpected error)/.test(err.message);
  if (!isDefault && err.message && err.status !== 401 && err.message !== err.title) {
    return { body: err.message, contentType: 'text/plain; charset=UTF-8' };
  }
  return { body: `<html><h1>${escapeHtml(err.title)}</h1><p>${escapeHtml(generic ?? err.message)}</p></html>`, contentType: 'text/html; charset=UTF-8' };
}
