/** The XML the S3 layer writes and the request documents it reads. */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { AwsChunkedDecoder } from './body.js';
import { childrenNamed, childText, el, parseXml, xmlDocument } from './xml.js';

describe('xml', () => {
  test('renders in the S3 namespace, escaped, empty elements closed', () => {
    assert.equal(xmlDocument(el('R', [el('Key', 'a<b&"c\''), el('E', ''), undefined, el('N', 3)])),
      '<?xml version="1.0" encoding="UTF-8"?>\n<R xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Key>a&lt;b&amp;&quot;c&apos;</Key><E/><N>3</N></R>');
  });

  test('reads a CompleteMultipartUpload with a namespace, entities, CDATA and comments', () => {
    const doc = parseXml('<?xml version="1.0"?>\n<!-- c --><s3:CompleteMultipartUpload xmlns:s3="x"><Part><PartNumber>1</PartNumber><ETag>&quot;a&amp;b&#65;&#x42;&quot;</ETag></Part>'
      + '<Part><PartNumber>2</PartNumber><ETag><![CDATA["<x>"]]></ETag></Part><Empty/></s3:CompleteMultipartUpload>');
    assert.equal(doc.name, 'CompleteMultipartUpload');
    const parts = childrenNamed(doc, 'Part');
    assert.deepEqual(parts.map((p) => childText(p, 'ETag')), ['"a&bAB"', '"<x>"']);
    assert.equal(childText(doc, 'Missing'), undefined);
  });

  test('refuses what is not well-formed', () => {
    for (const bad of ['', '<a>', '<a></b>', '<a>&nope;</a>', '<a/><b/>', 'text<a/>', '<a><!DOCTYPE x></a>', '<a x=1/>']) {
      assert.throws(() => parseXml(bad), { name: 'Error' }, bad);
    }
    assert.throws(() => parseXml('<a>'.repeat(40) + '</a>'.repeat(40)));
  });
});

describe('aws-chunked bodies', () => {
  const decode = async (chunks: string[], length?: number): Promise<string> => {
    const out: Buffer[] = [];
    for await (const c of Readable.from(chunks.map((s) => Buffer.from(s))).pipe(new AwsChunkedDecoder(length))) out.push(c as Buffer);
    return Buffer.concat(out).toString();
  };

  test('decodes signed chunks split anywhere, trailers dropped', async () => {
    const body = '5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n';
    assert.equal(await decode([body], 11), 'hello world');
    assert.equal(await decode(body.match(/[\s\S]{1,3}/g)!, 11), 'hello world');
  });

  test('a body cut short, a bad size line or a wrong decoded length fails', async () => {
    await assert.rejects(decode(['5\r\nhel'], 5), { code: 'IncompleteBody' });
    await assert.rejects(decode(['zz\r\nhello\r\n0\r\n\r\n']), { code: 'IncompleteBody' });
    await assert.rejects(decode(['5\r\nhello\r\n0\r\n\r\n'], 6), { code: 'IncompleteBody' });
    await assert.rejects(decode(['5\r\nhelloXX0\r\n\r\n'], 5), { code: 'IncompleteBody' });
  });
});
