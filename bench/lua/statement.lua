#!/usr/bin/env sysbench
-- A sysbench script whose every event runs the same fixed SQL: one statement, or several run one
-- after the other on the thread's connection (the "direct" equivalents of one SHADOW SYNC
-- statement). Used by bench/task_center.sh; not a test.
--
--   sysbench bench/lua/statement.lua --db-driver=mysql --mysql-host=... --threads=8 --time=10 \
--     --sql="SHADOW SYNC SHOW TASKS LIMIT 20" run
--   SB_SQL="SELECT 1;SELECT 2" sysbench bench/lua/statement.lua ... run
--
-- --sql (default: $SB_SQL) holds the statements separated by ';' (the split ignores quoting, so
-- the statements themselves must not contain ';'). sysbench counts one event ("transaction")
-- per run of the whole list and one query per statement. Any SQL error stops the run (unless
-- --mysql-ignore-errors is given), so a figure is never made of error answers. --min_rows N
-- (default 1) makes an event fail when the last statement returned fewer than N rows.

sysbench.cmdline.options = {
  sql = {"statements run by every event, separated by ';' (default: $SB_SQL)",
         os.getenv("SB_SQL") or ""},
  min_rows = {"the last statement of an event must return at least this many rows", 1},
}

local statements

local function split(text)
  local out = {}
  for part in string.gmatch(text, "[^;]+") do
    local s = part:gsub("^%s+", ""):gsub("%s+$", "")
    if s ~= "" then out[#out + 1] = s end
  end
  return out
end

function init()
  statements = split(sysbench.opt.sql)
  if #statements == 0 then
    error("no SQL: give --sql=\"...\" or set SB_SQL")
  end
end

function thread_init()
  statements = split(sysbench.opt.sql)
  drv = sysbench.sql.driver()
  con = drv:connect()
end

function thread_done()
  con:disconnect()
end

function event()
  local rs
  for i = 1, #statements do
    rs = con:query(statements[i])
  end
  local need = sysbench.opt.min_rows
  if need > 0 then
    local got = rs and rs.nrows or 0
    if got < need then
      error(string.format("'%s' returned %d rows, expected at least %d",
                          statements[#statements], tonumber(got), need))
    end
  end
end
