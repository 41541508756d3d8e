#!/usr/bin/env python3
"""A consumer of Relay's events in Python, with pika (Debian's python3-pika) and jsonschema.

It declares a durable quorum queue, binds it to Relay's exchange with the routing keys asked for, and for
each message: validates the CloudEvent against the published schema of its kind, drops a repeat of a
message-id it has already processed (delivery is at least once), processes it (here: one JSON line on
standard output), and only then acknowledges it. A message that breaks the contract is rejected without
requeue (to the queue's dead-letter exchange, if it has one) and said on standard error.

    python3 consumer.py --queue billing --binding 'callback.#' --binding 'ens.#'
"""

import argparse
import collections
import glob
import json
import os
import sys

import jsonschema
import pika

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMAS = os.path.join(HERE, "..", "..", "docs", "consumers", "contract", "schemas")


class Contract:
    """The event schemas (draft 2020-12), each event checked against the schema of its kind."""

    def __init__(self, folder):
        store = {}
        self.validators = {}
        for path in glob.glob(os.path.join(folder, "*.schema.json")):
            with open(path, encoding="utf-8") as file:
                schema = json.load(file)
            store[schema["$id"]] = schema
        for schema_id, schema in store.items():
            kind = os.path.basename(schema_id)[: -len(".schema.json")]
            resolver = jsonschema.RefResolver(base_uri=schema_id, referrer=schema, store=store)
            self.validators[kind] = jsonschema.Draft202012Validator(
                schema, resolver=resolver, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    @staticmethod
    def kind_of(event):
        data = event.get("data") if isinstance(event.get("data"), dict) else {}
        event_type = event.get("type") or ""
        if data.get("truncated") is True:
            return "truncated"
        if event_type == "com.salesforce.marketingcloud.async.missing":
            return "missing"
        if event_type == "com.salesforce.marketingcloud.ens.verification":
            return "ens-verification"
        if event_type.startswith("com.salesforce.marketingcloud.ens."):
            return "ens-event"
        if "recovery" in event:
            return "recovered"
        if "invalidReason" in data:
            return "invalid"
        return "callback"

    def problem(self, event):
        kind = self.kind_of(event)
        error = jsonschema.exceptions.best_match(self.validators[kind].iter_errors(event))
        return None if error is None else f"not a valid '{kind}' event: {error.message}"


class Seen:
    """The message-ids processed lately, bounded: enough to drop the repeats at-least-once delivery makes."""

    def __init__(self, capacity=100_000):
        self.ids = collections.OrderedDict()
        self.capacity = capacity

    def add(self, message_id):
        if message_id in self.ids:
            return False
        self.ids[message_id] = True
        if len(self.ids) > self.capacity:
            self.ids.popitem(last=False)
        return True


def main():
    parser = argparse.ArgumentParser(description="Consume Relay's events from a quorum queue.")
    parser.add_argument("--uri", default=os.environ.get("RELAY_RABBITMQ_URI", "amqp://guest:guest@127.0.0.1:5672/%2F"))
    parser.add_argument("--exchange", default="marketing-cloud")
    parser.add_argument("--queue", required=True)
    parser.add_argument("--binding", action="append", required=True, help="a routing key pattern; repeat for several")
    parser.add_argument("--count", type=int, default=0, help="stop after processing this many events (0: never)")
    parser.add_argument("--schemas", default=DEFAULT_SCHEMAS)
    args = parser.parse_args()

    contract = Contract(args.schemas)
    seen = Seen()
    processed = 0

    connection = pika.BlockingConnection(pika.URLParameters(args.uri))
    channel = connection.channel()
    channel.queue_declare(args.queue, durable=True, arguments={"x-queue-type": "quorum"})
    for binding in args.binding:
        channel.queue_bind(args.queue, args.exchange, routing_key=binding)
    channel.basic_qos(prefetch_count=32)
    print(json.dumps({"ready": args.queue}), flush=True)

    for method, properties, body in channel.consume(args.queue, auto_ack=False):
        try:
            event = json.loads(body)
            problem = contract.problem(event)
        except (ValueError, TypeError) as error:
            event, problem = None, f"not JSON: {error}"
        if problem is not None:
            print(f"rejected {properties.message_id} ({method.routing_key}): {problem}", file=sys.stderr, flush=True)
            channel.basic_reject(method.delivery_tag, requeue=False)
            continue
        if seen.add(properties.message_id):
            # The processing: whatever a team does with the event, done before the acknowledgement.
            print(json.dumps({"id": event["id"], "type": event["type"], "routingKey": method.routing_key,
                              "messageId": properties.message_id}), flush=True)
            processed += 1
        channel.basic_ack(method.delivery_tag)
        if args.count and processed >= args.count:
            break

    channel.cancel()
    connection.close()


if __name__ == "__main__":
    main()
