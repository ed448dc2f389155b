// Preloaded (node --require) into @modelcontextprotocol/server-everything by run.sh.
// That server calls app.listen(PORT) with no host, i.e. it binds every interface, and
// has no option to change that. For the test we want it on loopback only, so a
// listen(port[, backlog][, callback]) call without a host gets host 127.0.0.1.
'use strict';
const net = require('node:net');

const originalListen = net.Server.prototype.listen;
const isPort = (v) =>
  (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v));

net.Server.prototype.listen = function listen(...args) {
  if (args.length > 0 && isPort(args[0]) && (args.length === 1 || typeof args[1] !== 'string')) {
    args.splice(1, 0, '127.0.0.1');
  }
  return originalListen.apply(this, args);
};
