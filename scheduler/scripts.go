package scheduler

import "github.com/redis/go-redis/v9"

// The Lua scripts below are the only writers of the index. Each runs atomically, so a member is
// in at most one of the due and lease sets and two workers never claim the same member. Scores
// travel as decimal strings from ARGV or from Redis replies and are never formatted by Lua (whose
// number formatting would lose digits); they are only compared with tonumber.
//
// Each script that adds a member to the due set records its version under its key in the
// versions hash, and each that takes a member out deletes its key there, so that the hash names
// only due members (see keys.versions). The scripts split a member at its last '|' (memberSep).
//
// The cancel scripts record the members they take out in the cancelled set, scored by the time
// (Redis's clock, in milliseconds) until which a cancel may still be deleting their rows; the
// scripts that put members back from Postgres or from another process skip those (see
// keys.cancelled). Those times are whole milliseconds, which Lua's numbers hold exactly.

// cancellingLua defines, for a script whose cancelled set is key (say "KEYS[4]"), cancelling(m):
// whether a cancel took member m out of the due set and may still be deleting its row. Redis's
// clock is read only when the set has any entry.
func cancellingLua(key string) string {
	return `
local now = nil
if redis.call('EXISTS', ` + key + `) == 1 then
	local t = redis.call('TIME')
	now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function cancelling(m)
	if now == nil then
		return false
	end
	local until_ = redis.call('ZSCORE', ` + key + `, m)
	return until_ ~= false and tonumber(until_) > now
end`
}

// cancelRecordLua defines, for a cancel script whose cancelled set is key and cancels counter
// counter: record(m), which records member m as taken out until Redis's clock plus ARGV[1]
// milliseconds, and recorded(), which, when anything was recorded, writes what is left, bumps the
// counter and drops the cancelled set's entries whose time has passed.
func cancelRecordLua(key, counter string) string {
	return `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = string.format('%d', now + tonumber(ARGV[1]))
local cancelled, any = {}, false
local function record(m)
	any = true
	cancelled[#cancelled + 1] = until_
	cancelled[#cancelled + 1] = m
	if #cancelled >= 1000 then
		redis.call('ZADD', ` + key + `, unpack(cancelled))
		cancelled = {}
	end
end
local function recorded()
	if not any then
		return
	end
	if #cancelled > 0 then
		redis.call('ZADD', ` + key + `, unpack(cancelled))
	end
	redis.call('INCR', ` + counter + `)
	redis.call('ZREMRANGEBYSCORE', ` + key + `, '-inf', string.format('%d', now))
end`
}

// claimScript moves up to ARGV[3] due members, earliest first, from the due set to the lease set.
//
//	KEYS[1] due set
//	KEYS[2] lease set
//	KEYS[3] built marker
//	KEYS[4] versions hash
//	ARGV[1] now, in microseconds: members scored at or before it are due
//	ARGV[2] lease deadline, in microseconds
//	ARGV[3] the most members to claim
//
// Returns {built, next, member...}: built is 1 when the built marker exists and 0 when Redis has
// lost its data since the last reconcile; next is the score of the earliest member left in the
// due set, or "" when it is empty; then the claimed members.
var claimScript = redis.NewScript(`
local claimed = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
if #claimed > 0 then
	redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #claimed - 1)
	local args, keys = {}, {}
	for i, m in ipairs(claimed) do
		args[#args + 1] = ARGV[2]
		args[#args + 1] = m
		keys[#keys + 1] = string.match(m, '^(.*)|') or m
		if #args >= 1000 or i == #claimed then
			redis.call('ZADD', KEYS[2], unpack(args))
			redis.call('HDEL', KEYS[4], unpack(keys))
			args, keys = {}, {}
		end
	end
end
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local out = {redis.call('EXISTS', KEYS[3]), head[2] or ''}
for _, m in ipairs(claimed) do
	out[#out + 1] = m
end
return out
`)

// scheduleScript indexes new versions of jobs and drops the due entries of the versions they
// replace. A replaced version that a worker holds stays in the lease set: that run goes on. A new
// version a worker holds already (a rebuild from Postgres indexed it first, and it was claimed) is
// not indexed again: it would run twice. Members go in and out of the due set and the versions
// hash in chunks, one command per chunk: with a command per member, recording the versions made
// the script two to four times as costly. A call indexes a key once (see commit.go), so the order
// of the chunks does not matter.
//
// A new member that a cancel is taking out (its version was read from Postgres before this entry
// arrived) is not indexed.
//
//	KEYS[1] due set
//	KEYS[2] lease set
//	KEYS[3] versions hash
//	KEYS[4] cancelled set
//	ARGV[1] wake channel
//	ARGV[2..] triples: new member, its due time in microseconds, replaced member ("" for none)
//
// Publishes the earliest new due time on the wake channel when it is earlier than every due time
// indexed before. Returns 1 when it published, else 0.
var scheduleScript = redis.NewScript(cancellingLua("KEYS[4]") + `
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local earliest, earliestScore = nil, nil
local replaced, added, versions, held = {}, {}, {}, {}
local function flush()
	if #replaced > 0 then
		redis.call('ZREM', KEYS[1], unpack(replaced))
	end
	if #added > 0 then
		redis.call('ZADD', KEYS[1], unpack(added))
		redis.call('HSET', KEYS[3], unpack(versions))
	end
	if #held > 0 then
		redis.call('HDEL', KEYS[3], unpack(held))
	end
	replaced, added, versions, held = {}, {}, {}, {}
end
for i = 2, #ARGV, 3 do
	local m, s, old = ARGV[i], ARGV[i + 1], ARGV[i + 2]
	if old ~= '' then
		replaced[#replaced + 1] = old
	end
	local k, v = string.match(m, '^(.*)|(.*)$')
	local leased = redis.call('ZSCORE', KEYS[2], m)
	if leased or not cancelling(m) then
		if not leased then
			added[#added + 1] = s
			added[#added + 1] = m
			versions[#versions + 1] = k
			versions[#versions + 1] = v
		else
			held[#held + 1] = k
		end
		local n = tonumber(s)
		if earliest == nil or n < earliest then
			earliest, earliestScore = n, s
		end
	end
	if #added >= 1000 or #replaced >= 1000 or #held >= 1000 then
		flush()
	end
end
flush()
if earliest ~= nil and (head[2] == nil or earliest < tonumber(head[2])) then
	redis.call('PUBLISH', ARGV[1], earliestScore)
	return 1
end
return 0
`)

// releaseScript ends leases. Each leased member is removed from the lease set and, when a
// member to index is given, that member goes into the due set: the next version of a job that
// failed and will be retried, or a job handed back unrun.
//
//	KEYS[1] due set
//	KEYS[2] lease set
//	KEYS[3] versions hash
//	ARGV[1] wake channel
//	ARGV[2..] triples: leased member, member to index ("" for none), its due time in microseconds
//
// Publishes like scheduleScript. Returns the number of leases that were still held.
var releaseScript = redis.NewScript(`
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local earliest, earliestScore = nil, nil
local held = 0
for i = 2, #ARGV, 3 do
	local leased, m, s = ARGV[i], ARGV[i + 1], ARGV[i + 2]
	held = held + redis.call('ZREM', KEYS[2], leased)
	if m ~= '' then
		redis.call('ZADD', KEYS[1], s, m)
		local k, v = string.match(m, '^(.*)|(.*)$')
		redis.call('HSET', KEYS[3], k, v)
		local n = tonumber(s)
		if earliest == nil or n < earliest then
			earliest, earliestScore = n, s
		end
	end
end
if earliest ~= nil and (head[2] == nil or earliest < tonumber(head[2])) then
	redis.call('PUBLISH', ARGV[1], earliestScore)
end
return held
`)

// recoverScript moves up to ARGV[3] members whose lease has expired back to the due set, due
// at once: their worker is presumed dead.
//
//	KEYS[1] lease set
//	KEYS[2] due set
//	KEYS[3] versions hash
//	ARGV[1] now, in microseconds: leases whose deadline is at or before it have expired
//	ARGV[2] wake channel
//	ARGV[3] the most members to move
//
// Publishes ARGV[1] on the wake channel when it moved any. Returns {moved, next}: how many it
// moved, and the earliest deadline left in the lease set ("" when it is empty).
var recoverScript = redis.NewScript(`
local expired = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
if #expired > 0 then
	redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #expired - 1)
	local args, versions = {}, {}
	for i, m in ipairs(expired) do
		args[#args + 1] = ARGV[1]
		args[#args + 1] = m
		local k, v = string.match(m, '^(.*)|(.*)$')
		versions[#versions + 1] = k
		versions[#versions + 1] = v
		if #args >= 1000 or i == #expired then
			redis.call('ZADD', KEYS[2], unpack(args))
			redis.call('HSET', KEYS[3], unpack(versions))
			args, versions = {}, {}
		end
	end
	redis.call('PUBLISH', ARGV[2], ARGV[1])
end
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {#expired, head[2] or ''}
`)

// reconcileScript puts pending jobs read from Postgres back into the due set, unless they are
// indexed already or leased.
//
//	KEYS[1] due set
//	KEYS[2] lease set
//	KEYS[3] cancels counter
//	KEYS[4] versions hash
//	KEYS[5] cancelled set
//	ARGV[1] wake channel
//	ARGV[2] the cancels counter as read before the jobs were read from Postgres ("0" when missing)
//	ARGV[3..] pairs: member, due time in microseconds
//
// Returns -1 and changes nothing when the counter has moved (a cancel may have removed one of
// these jobs after Postgres was read: read again). Otherwise returns how many members it added,
// and publishes like scheduleScript. A member that a cancel took out and may still be deleting
// (Postgres was read after the cancel, before its delete) is skipped. The version of a member it
// adds is recorded in the versions hash; that of a member already due, only when its key has none
// there (the hash was lost).
var reconcileScript = redis.NewScript(cancellingLua("KEYS[5]") + `
if (redis.call('GET', KEYS[3]) or '0') ~= ARGV[2] then
	return -1
end
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local earliest, earliestScore = nil, nil
local added = 0
for i = 3, #ARGV, 2 do
	local m, s = ARGV[i], ARGV[i + 1]
	if not redis.call('ZSCORE', KEYS[2], m) and not cancelling(m) then
		local k, v = string.match(m, '^(.*)|(.*)$')
		if redis.call('ZADD', KEYS[1], 'NX', s, m) == 1 then
			redis.call('HSET', KEYS[4], k, v)
			added = added + 1
			local n = tonumber(s)
			if earliest == nil or n < earliest then
				earliest, earliestScore = n, s
			end
		else
			redis.call('HSETNX', KEYS[4], k, v)
		end
	end
end
if earliest ~= nil and (head[2] == nil or earliest < tonumber(head[2])) then
	redis.call('PUBLISH', ARGV[1], earliestScore)
end
return added
`)

// cancelScript removes versions of jobs from the due set, except those a worker holds.
//
//	KEYS[1] due set
//	KEYS[2] lease set
//	KEYS[3] cancels counter
//	KEYS[4] versions hash
//	KEYS[5] cancelled set
//	ARGV[1] how long, in milliseconds, the cancel may take to delete the rows
//	ARGV[2..] members
//
// Returns one number per member, in order: 0 when the member is leased (running; nothing
// changed), else 1, once it is removed from the due set and its key from the versions hash, and
// recorded in the cancelled set. Bumps the cancels counter when it returns any 1, and drops the
// cancelled set's entries whose time has passed.
var cancelScript = redis.NewScript(cancelRecordLua("KEYS[5]", "KEYS[3]") + `
local out = {}
for i = 2, #ARGV do
	local m = ARGV[i]
	if redis.call('ZSCORE', KEYS[2], m) then
		out[i - 1] = 0
	else
		redis.call('ZREM', KEYS[1], m)
		redis.call('HDEL', KEYS[4], string.match(m, '^(.*)|') or m)
		out[i - 1] = 1
		record(m)
	end
end
recorded()
return out
`)

// cancelKeysScript removes jobs from the due set by key, through the versions hash: for each key
// it has a version of, it removes that member from the due set. Every key given is removed from
// the hash.
//
//	KEYS[1] due set
//	KEYS[2] versions hash
//	KEYS[3] cancels counter
//	KEYS[4] cancelled set
//	ARGV[1] how long, in milliseconds, the cancel may take to delete the rows
//	ARGV[2..] keys of jobs
//
// Returns one string per key, in order: the version (base 36) whose member it removed from the
// due set and recorded in the cancelled set, or "" when it removed none (the hash had no version
// of the key, or the member it named was not due). Bumps the cancels counter when it removed any,
// and drops the cancelled set's entries whose time has passed.
var cancelKeysScript = redis.NewScript(cancelRecordLua("KEYS[4]", "KEYS[3]") + `
local out = {}
for i = 2, #ARGV do
	local k = ARGV[i]
	out[i - 1] = ''
	local v = redis.call('HGET', KEYS[2], k)
	if v then
		redis.call('HDEL', KEYS[2], k)
		local m = k .. '|' .. v
		if redis.call('ZREM', KEYS[1], m) == 1 then
			out[i - 1] = v
			record(m)
		end
	end
end
recorded()
return out
`)
