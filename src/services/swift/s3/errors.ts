/**
 * The errors of the S3 API (s3api's s3response.py ErrorResponse classes): an AWS error code,
 * its HTTP status and message, and extra fields some codes carry (BucketName, Key, UploadId,
 * StringToSign...), rendered as AWS's `<Error>` document. `fromSwift` maps what the proxy
 * threw (a Swift error status) to the S3 error of the resource asked for.
 */
import { NuboError } from '../../../common/errors.js';
import { el, xmlDocument, xmlRoot } from './xml.js';

export class S3Error extends Error {
  constructor(readonly code: string, readonly status: number, message: string, readonly extra: Record<string, string> = {}) {
    super(message);
  }

  /** The `<Error>` document with the request's id (without the XML declaration when it follows one already sent). */
  render(requestId: string, opts: { declaration?: boolean } = {}): string {
    return (opts.declaration === false ? xmlRoot : xmlDocument)({
      name: 'Error',
      children: [el('Code', this.code), el('Message', this.message), ...Object.entries(this.extra).map(([k, v]) => el(k, v)), el('RequestId', requestId)],
    }, { namespace: false });
  }
}

const make = (code: string, status: number, message: string) => (extra: Record<string, string> = {}, detail?: string): S3Error => new S3Error(code, status, detail ?? message, extra);

export const AccessDenied = make('AccessDenied', 403, 'Access Denied.');
export const AuthorizationHeaderMalformed = make('AuthorizationHeaderMalformed', 400, 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.');
export const AuthorizationQueryParametersError = make('AuthorizationQueryParametersError', 400, 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
export const BadDigest = make('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.');
export const BucketAlreadyOwnedByYou = make('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.');
export const BucketNotEmpty = make('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty');
export const EntityTooLarge = make('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed object size.');
export const EntityTooSmall = make('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed object size.');
export const IncompleteBody = make('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
export const InternalError = make('InternalError', 500, 'We encountered an internal error. Please try again.');
export const InvalidAccessKeyId = make('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.');
export const InvalidArgument = (name: string, value: string, message: string): S3Error => new S3Error('InvalidArgument', 400, message, { ArgumentName: name, ArgumentValue: value });
export const InvalidBucketName = (bucket: string): S3Error => new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket });
export const InvalidDigest = make('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.');
export const InvalidPart = make('InvalidPart', 400, 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.');
export const InvalidPartOrder = make('InvalidPartOrder', 400, 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
export const InvalidRange = make('InvalidRange', 416, 'The requested range is not satisfiable');
export const InvalidRequest = make('InvalidRequest', 400, 'Invalid Request.');
export const InvalidURI = make('InvalidURI', 400, 'Could not parse the specified URI.');
export const KeyTooLongError = make('KeyTooLongError', 400, 'Your key is too long.');
export const MalformedXML = make('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema.');
export const MetadataTooLarge = make('MetadataTooLarge', 400, 'Your metadata headers exceed the maximum allowed metadata size.');
export const MethodNotAllowed = (method: string, resource: string): S3Error => new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', { Method: method, ResourceType: resource });
export const MissingContentLength = make('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.');
export const MissingSecurityHeader = make('MissingSecurityHeader', 400, 'Your request was missing a required header.');
export const NoSuchBucket = (bucket: string): S3Error => new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist.', { BucketName: bucket });
export const NoSuchKey = (key: string): S3Error => new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });
export const NoSuchUpload = (uploadId: string): S3Error => new S3Error('NoSuchUpload', 404, 'The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed.', { UploadId: uploadId });
export const NotImplemented = make('NotImplemented', 501, 'A header you provided implies functionality that is not implemented.');
export const PreconditionFailed = make('PreconditionFailed', 412, 'At least one of the preconditions you specified did not hold.');
export const RequestTimeTooSkewed = make('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.');
export const ServiceUnavailable = make('ServiceUnavailable', 503, 'Please reduce your request rate.');
export const SignatureDoesNotMatch = make('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
export const XAmzContentSHA256Mismatch = make('XAmzContentSHA256Mismatch', 400, 'The provided \'x-amz-content-sha256\' header does not match what was computed.');

/**
 * A Swift error status as the S3 error of the resource asked for: 404 of a bucket or a key,
 * 412, 416, 413, 401/403 (access), 503; other 4xx as InvalidRequest, 5xx as InternalError.
 */
export function fromStatus(status: number, resource: { bucket?: string; key?: string }, message?: string): S3Error {
  switch (status) {
    case 404: return resource.key !== undefined ? NoSuchKey(resource.key) : NoSuchBucket(resource.bucket ?? '');
    case 401:
    case 403: return AccessDenied();
    case 411: return MissingContentLength();
    case 412: return PreconditionFailed();
    case 413: return EntityTooLarge();
    case 416: return InvalidRange();
    case 422: return BadDigest();
    case 499: return IncompleteBody();
    case 503: return ServiceUnavailable();
    default: return status >= 500 ? InternalError() : InvalidRequest({}, message);
  }
}

/** What the S3 layer caught: an S3 error as it is, a Swift error by its status, anything else an InternalError. */
export function fromSwift(err: unknown, resource: { bucket?: string; key?: string }): S3Error {
  if (err instanceof S3Error) return err;
  if (err instanceof NuboError) return fromStatus(err.status, resource, err.message);
  return InternalError();
}
