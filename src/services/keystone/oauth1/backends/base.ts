/**
 * The OAuth1 driver interface (keystone/oauth1/backends/base.py Oauth1DriverBase), for the
 * part Nubo implements: consumers. (Request and access tokens are not implemented.)
 */

export interface ConsumerRecord {
  id: string;
  description: string | null;
  [extra: string]: unknown;
}

export interface ConsumerCreate {
  id: string;
  description: string | null;
  secret: string;
  extra: Record<string, unknown>;
}

export interface OAuth1Driver {
  /** The consumer without its secret. */
  getConsumer(id: string): Promise<ConsumerRecord | undefined>;
  listConsumers(): Promise<ConsumerRecord[]>;
  createConsumer(consumer: ConsumerCreate): Promise<void>;
  updateConsumer(id: string, update: { description: string | null; extra: Record<string, unknown> }): Promise<void>;
  deleteConsumer(id: string): Promise<void>;
}
