/**
 * Token response bodies as bytes, ready to send: validation answers the same token many times,
 * and serializing the token (and its catalog) on each call, then encoding the text for the
 * socket, was most of what a validation cost.
 *
 * Entries hang off the ResolvedToken object (a WeakMap): a token object lives as long as the
 * validator caches it, and every change that can alter a token's body (revocation, roles,
 * assignments, users, projects, domains, trusts, application credentials) drops it from that
 * cache, so the next validation resolves a new object with a body of its own. The catalog part
 * is keyed by the catalog's JSON text: when the catalog cache hands out another text (a catalog
 * write emptied it, or it expired), the body is built again.
 */
import { tokenBodyText, tokenJson, type RenderOptions, type ResolvedToken, type TokenJson } from './model.js';

interface Bodies {
  json: TokenJson;
  /** The body without a catalog. */
  bare?: Buffer;
  /** The catalog text `withCatalog` was built with. */
  catalogJson?: string;
  withCatalog?: Buffer;
}

export class TokenBodies {
  private readonly bodies = new WeakMap<ResolvedToken, Bodies>();

  constructor(private readonly render: Pick<RenderOptions, 'adminProject'>) {}

  /** `{"token": ...}` without a catalog. */
  bare(token: ResolvedToken): Buffer {
    const b = this.of(token);
    return (b.bare ??= Buffer.from(tokenBodyText(b.json)));
  }

  /** `{"token": ...}` with `catalogJson` (a JSON array) as its catalog. */
  withCatalog(token: ResolvedToken, catalogJson: string): Buffer {
    const b = this.of(token);
    if (b.withCatalog === undefined || b.catalogJson !== catalogJson) b.withCatalog = Buffer.from(tokenBodyText(b.json, catalogJson));
    // Kept even when the text is the same: a reloaded catalog is a new string with the same
    // text, which `!==` compares character by character; the string kept is compared by
    // reference from the next call on.
    b.catalogJson = catalogJson;
    return b.withCatalog;
  }

  private of(token: ResolvedToken): Bodies {
    let b = this.bodies.get(token);
    if (!b) this.bodies.set(token, (b = { json: tokenJson(token, this.render) }));
    return b;
  }
}
