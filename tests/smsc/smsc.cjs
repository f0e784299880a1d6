// The operator's SMS gateway for the tests (ADR 0600): a real SMPP 3.4 server on 127.0.0.1,
// the npm package `smpp` (frontend/node_modules), scripted by the test through stdin.
//
//   node tests/smsc/smsc.cjs [port]        (0 or nothing: a free port)
//
// stdout, one JSON object a line: {"ready": port} first, then what happened:
//   {"bind": system_id, "status": n}   a bind answered (0 accepted)
//   {"submit": {"to", "text", "data_coding", "message_id"}, "status": n}
//   {"receipt": message_id, "acked": true}   a deliver_sm receipt answered by the client
// stdin, one JSON object a line, changes how the next PDUs are answered:
//   {"bind": "accept" | "refuse" | "hold"}        hold: never answer (a hung gateway)
//   {"submit": "accept" | "throttle" | "invalid" | "hold"}
//   {"throttle_next": n}       the next n submit_sm answered ESME_RTHROTTLED, then as before
//   {"receipts": "DELIVRD" (the default) | "UNDELIV" | null, "receipt_delay_ms": n}
//   {"drop": true}             close every session now
"use strict";
const path = require("path");
const readline = require("readline");
const smpp = require(path.join(__dirname, "..", "..", "frontend", "node_modules", "smpp"));

const E = smpp.errors;
const mode = { bind: "accept", submit: "accept", throttleNext: 0, receipts: "DELIVRD", receiptDelay: 5 };
let nextId = 1000;

function emit(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

function stamp(d) {
  const p = (n) => String(n).padStart(2, "0");
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

const server = smpp.createServer((session) => {
  session.on("error", () => {});
  const bind = (pdu) => {
    if (mode.bind === "hold") {
      emit({ bind: pdu.system_id, status: -1 });
      return;
    }
    const status = mode.bind === "refuse" ? E.ESME_RBINDFAIL : E.ESME_ROK;
    session.send(pdu.response({ command_status: status, system_id: "URNE-TEST-SMSC" }));
    emit({ bind: pdu.system_id, status });
    if (status !== E.ESME_ROK) session.close();
  };
  session.on("bind_transceiver", bind);
  session.on("bind_transmitter", bind);
  session.on("enquire_link", (pdu) => session.send(pdu.response()));
  session.on("unbind", (pdu) => {
    session.send(pdu.response());
    session.close();
  });
  session.on("submit_sm", (pdu) => {
    const message = pdu.short_message || {};
    const event = {
      to: pdu.destination_addr,
      text: typeof message.message === "string" ? message.message : String(message),
      data_coding: pdu.data_coding,
    };
    let status = E.ESME_ROK;
    if (mode.throttleNext > 0) {
      mode.throttleNext -= 1;
      status = E.ESME_RTHROTTLED;
    } else if (mode.submit === "hold") {
      emit({ submit: event, status: -1 });
      return;
    } else if (mode.submit === "throttle") {
      status = E.ESME_RTHROTTLED;
    } else if (mode.submit === "invalid") {
      status = E.ESME_RINVDSTADR;
    }
    if (status !== E.ESME_ROK) {
      session.send(pdu.response({ command_status: status }));
      emit({ submit: event, status });
      return;
    }
    const id = String(nextId++);
    event.message_id = id;
    session.send(pdu.response({ message_id: id }));
    emit({ submit: event, status });
    if (mode.receipts && pdu.registered_delivery) {
      const stat = mode.receipts;
      setTimeout(() => {
        const now = stamp(new Date());
        session.deliver_sm(
          {
            source_addr: pdu.destination_addr,
            destination_addr: pdu.source_addr,
            esm_class: 0x04,
            // The receipt's usual text carries the start of the message: a client must not
            // keep or log it (ADR 0600).
            short_message: `id:${id} sub:001 dlvrd:001 submit date:${now} done date:${now} ` +
              `stat:${stat} err:000 text:${event.text.slice(0, 20)}`,
            receipted_message_id: id,
            message_state: stat === "DELIVRD" ? 2 : 5,
          },
          (resp) => emit({ receipt: id, acked: resp.command_status === E.ESME_ROK }),
        );
      }, mode.receiptDelay);
    }
  });
});

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const order = JSON.parse(line);
  if ("bind" in order) mode.bind = order.bind;
  if ("submit" in order) mode.submit = order.submit;
  if ("throttle_next" in order) mode.throttleNext = order.throttle_next;
  if ("receipts" in order) mode.receipts = order.receipts;
  if ("receipt_delay_ms" in order) mode.receiptDelay = order.receipt_delay_ms;
  if (order.drop) for (const s of [...server.sessions]) s.destroy();
  emit({ ok: Object.keys(order) });
});
process.stdin.on("end", () => process.exit(0));

server.listen(Number(process.argv[2] || 0), "127.0.0.1", () => emit({ ready: server.address().port }));
