-- wrk script: POST one allowed MCP tools/call (list_server_files, which the policy allows, so
-- the guard forwards it) to /mcp, as an MCP Streamable HTTP client would send it.
-- Prints one machine-readable RESULT line at the end for run.sh.
-- run.sh sets S3_METHOD for CALL=s3get and CALL=s3put: an S3 GetObject or PutObject as AWSSDK
-- sends it (path-style, SigV4 headers; the guard reads them and forwards them unchanged).
local s3_method = os.getenv("S3_METHOD")
if s3_method then
  wrk.method = s3_method
  wrk.path = os.getenv("S3_PATH")
  wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
  wrk.headers["x-amz-date"] = "20261205T080000Z"
  wrk.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
  if s3_method == "PUT" then
    wrk.headers["Content-Type"] = "application/octet-stream"
    wrk.body = os.getenv("S3_BODY")
  end
else
  wrk.method = "POST"
  wrk.path = "/mcp"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json, text/event-stream"
  -- run.sh sets MCP_CALL_BODY (CALL=shell: a bash tool call); alone, the script sends list_server_files.
  wrk.body = os.getenv("MCP_CALL_BODY") or '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_server_files","arguments":{"ip":"10.0.12.45"}}}'
  -- SESSION_CALLS=N: every N requests belong to a new MCP session (Mcp-Session-Id), as when many
  -- short agent runs share the guard, so results are kept as evidence until a session's cap. Without
  -- it, every request is in the agent's one idle-gap session, whose evidence cap is soon reached.
  local session_calls = tonumber(os.getenv("SESSION_CALLS") or "0")
  if session_calls > 0 then
    local sent = 0
    -- Ids unique to this wrk run: a guard measured over several runs meets new sessions in each.
    local run = tostring(os.time())
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    function request()
      headers["Mcp-Session-Id"] = "load-" .. run .. "-" .. math.floor(sent / session_calls)
      sent = sent + 1
      return wrk.format(nil, nil, headers, nil)
    end
  end
end

-- No response() hook: it would make wrk parse every body in Lua. Statuses >= 400 (a denial is
-- 403) are counted in summary.errors.status.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout))
end
