// A consumer of Relay's events in Node.js: amqplib for RabbitMQ, the CloudEvents SDK to read each event,
// ajv to validate it against the published schema of its kind (draft 2020-12).
//
//   node consumer.mjs --queue billing --binding 'callback.#' --binding 'ens.#'
//
// It declares a durable quorum queue, binds it, and for each message: reads the CloudEvent, validates it,
// drops a repeat of a message-id already processed (delivery is at least once), processes it (here: one
// JSON line on standard output), and only then acknowledges it. A message that breaks the contract is
// rejected without requeue and said on standard error.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import { CloudEvent } from 'cloudevents';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    uri: { type: 'string', default: process.env.RELAY_RABBITMQ_URI ?? 'amqp://guest:guest@127.0.0.1:5672/' },
    exchange: { type: 'string', default: 'marketing-cloud' },
    queue: { type: 'string' },
    binding: { type: 'string', multiple: true },
    count: { type: 'string', default: '0' },
    schemas: { type: 'string', default: join(here, '..', '..', 'docs', 'consumers', 'contract', 'schemas') },
  },
});
if (!options.queue || !options.binding?.length) {
  console.error('usage: node consumer.mjs --queue NAME --binding PATTERN [--binding PATTERN ...] [--count N]');
  process.exit(2);
}

// The contract: every schema registered by its $id, one validator per kind.
const ajv = new Ajv2020({ allErrors: false, strict: false });
addFormats(ajv);
const kinds = new Map();
for (const file of readdirSync(options.schemas).filter((name) => name.endsWith('.schema.json'))) {
  const schema = JSON.parse(readFileSync(join(options.schemas, file), 'utf8'));
  ajv.addSchema(schema);
  kinds.set(file.slice(0, -'.schema.json'.length), schema.$id);
}

function kindOf(event) {
  const data = event.data !== null && typeof event.data === 'object' ? event.data : {};
  const type = typeof event.type === 'string' ? event.type : '';
  if (data.truncated === true) return 'truncated';
  if (type === 'com.salesforce.marketingcloud.async.missing') return 'missing';
  if (type === 'com.salesforce.marketingcloud.ens.verification') return 'ens-verification';
  if (type.startsWith('com.salesforce.marketingcloud.ens.')) return 'ens-event';
  if ('recovery' in event) return 'recovered';
  if ('invalidReason' in data) return 'invalid';
  return 'callback';
}

function problemOf(event) {
  const kind = kindOf(event);
  const validate = ajv.getSchema(kinds.get(kind));
  return validate(event) ? null : `not a valid '${kind}' event: ${ajv.errorsText(validate.errors)}`;
}

// The message-ids processed lately, bounded: enough to drop the repeats at-least-once delivery makes.
const seen = new Set();
function firstTime(messageId) {
  if (seen.has(messageId)) return false;
  seen.add(messageId);
  if (seen.size > 100_000) seen.delete(seen.values().next().value);
  return true;
}

const connection = await amqp.connect(options.uri);
const channel = await connection.createChannel();
await channel.assertQueue(options.queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
for (const binding of options.binding) {
  await channel.bindQueue(options.queue, options.exchange, binding);
}
await channel.prefetch(32);

const limit = Number(options.count);
let processed = 0;
let stopping = false;
console.log(JSON.stringify({ ready: options.queue }));

await channel.consume(options.queue, async (message) => {
  if (message === null || stopping) return;
  let event;
  let problem;
  try {
    const json = JSON.parse(message.content.toString('utf8'));
    problem = problemOf(json);
    // The SDK reads the structured-mode event (and checks the CloudEvents attributes itself).
    event = problem ? null : new CloudEvent(json, true);
  } catch (error) {
    problem = `not a CloudEvent: ${error.message}`;
  }
  if (problem) {
    console.error(`rejected ${message.properties.messageId} (${message.fields.routingKey}): ${problem}`);
    channel.reject(message, false);
    return;
  }
  if (firstTime(message.properties.messageId)) {
    // The processing: whatever a team does with the event, done before the acknowledgement.
    console.log(JSON.stringify({ id: event.id, type: event.type, routingKey: message.fields.routingKey, messageId: message.properties.messageId }));
    processed++;
  }
  channel.ack(message);
  if (limit > 0 && processed >= limit) {
    stopping = true;
    await channel.close();
    await connection.close();
  }
}, { noAck: false });
