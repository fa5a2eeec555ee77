package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"passerelle/matcher"
)

// Read audit rows are group-committed. A write leaves its audit row in its
// own transaction (it is acknowledged only once both are committed). A read
// changes nothing, so making every read a write transaction (one fsync on
// SQLite) would cap a cached plan read at the disk's fsync rate; instead a
// read queues its audit row and a background writer commits the queued rows
// together, at most AuditFlushDelay later, in one transaction.
//
// Decision: a process killed with SIGKILL can lose the read audit rows of
// its last AuditFlushDelay; Close (graceful shutdown) commits every queued
// row first. Writes' audit rows are never deferred.
//
// Decision (SQLite): the group commits run on connections of their own with
// synchronous=NORMAL, so they do not fsync. An fsync takes about a
// millisecond here, and Go keeps the goroutine's processor through a file
// syscall until its monitor takes it back, up to 10 ms later: on a server
// with one core, ten fsyncs a second froze every request for a millisecond
// each (1 % of the time, the cached-plan p99). In WAL mode a NORMAL commit
// survives the process being killed; an operating-system crash or a power
// loss can lose the read audit rows committed since the last fsync, which
// the next acknowledged write (synchronous=FULL) or checkpoint makes.
// Writes and their audit rows keep synchronous=FULL.
const (
	// AuditFlushDelay is the longest a queued read audit row waits.
	AuditFlushDelay = 100 * time.Millisecond
	// auditBatch is the most rows committed in one transaction.
	auditBatch = 2048
	// auditQueued is the most rows waiting for the writer; past it, reads
	// wait (a slower read, never a lost row).
	auditQueued = 4 * auditBatch
	// auditChunk rows are inserted per statement, and auditPause separates
	// two statements of one commit (see insertAudit).
	auditChunk = 32
	auditPause = 100 * time.Microsecond
)

type auditRow struct {
	at                            time.Time
	keyID, org, action, kind, obj string
	flushed                       chan error // a flush request: no row
}

// auditQueue is the background writer of read audit rows.
type auditQueue struct {
	once   sync.Once
	ch     chan auditRow
	urgent chan struct{} // a flush or the end: commit now
	done   chan struct{}
	closed atomic.Bool
	fails  atomic.Int64
	mu     sync.RWMutex // held for reading by senders, for writing by close
}

// AuditFailures returns how many group commits of read audit rows failed
// and were retried (for metrics).
func (db *DB) AuditFailures() int64 { return db.audit.fails.Load() }

// auditRead queues a "read" audit row of object kind/id by actor.
func (db *DB) auditRead(actor Actor, kind, id string) error {
	q := &db.audit
	q.once.Do(func() { db.startAudit() })
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed.Load() {
		return errors.New("store: audit read: database closed")
	}
	q.ch <- auditRow{at: db.now().UTC(), keyID: actor.KeyID, org: actor.Org, action: "read", kind: kind, obj: id}
	return nil
}

// FlushAudit commits every read audit row queued before the call. Tests
// and tools call it to read the audit log; nothing else needs to.
func (db *DB) FlushAudit(ctx context.Context) error {
	q := &db.audit
	q.once.Do(func() { db.startAudit() })
	done := make(chan error, 1)
	q.mu.RLock()
	if q.closed.Load() {
		q.mu.RUnlock()
		return nil
	}
	q.ch <- auditRow{flushed: done}
	q.mu.RUnlock()
	q.hurry()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// closeAudit stops the writer after it has committed every queued row.
// Later reads fail; later flushes return at once.
func (db *DB) closeAudit() {
	q := &db.audit
	q.mu.Lock()
	already := q.closed.Swap(true)
	started := q.ch != nil
	if started && !already {
		close(q.ch)
	}
	q.mu.Unlock()
	if started {
		q.hurry()
	}
	if started && !already {
		<-q.done
	}
}

func (db *DB) startAudit() {
	q := &db.audit
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed.Load() {
		return
	}
	q.ch = make(chan auditRow, auditQueued)
	q.urgent = make(chan struct{}, 1)
	q.done = make(chan struct{})
	go db.auditLoop()
}

// hurry cuts the writer's wait short (a flush request or the end).
func (q *auditQueue) hurry() {
	select {
	case q.urgent <- struct{}{}:
	default:
	}
}

// auditLoop waits for the first row of a batch, sleeps AuditFlushDelay (or
// until a flush request or the end), then takes every row queued and
// commits them, auditBatch rows per transaction. While it sleeps it does
// not receive: a read's send only fills the channel's buffer and wakes no
// goroutine (one wake-up per read cost the cached plan a scheduling round
// on a busy core). A failed commit keeps the rows and retries (a full queue
// then slows readers down rather than losing rows).
func (db *DB) auditLoop() {
	q := &db.audit
	defer close(q.done)
	var rows []auditRow
	var waiters []chan error
	closed := false
	take := func(r auditRow, ok bool) {
		switch {
		case !ok:
			closed = true
		case r.flushed != nil:
			waiters = append(waiters, r.flushed)
		default:
			rows = append(rows, r)
		}
	}
	commit := func() {
		var err error
		for len(rows) > 0 {
			n := min(len(rows), auditBatch)
			if err = db.insertAudit(rows[:n]); err == nil {
				rows = rows[n:]
				continue
			}
			q.fails.Add(1)
			if q.closed.Load() && len(waiters) == 0 {
				// Shutting down with the database gone: give up.
				rows = rows[:0]
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		rows = rows[:0:0] // drop the batch's backing array with its strings
		for _, w := range waiters {
			w <- err
		}
		waiters = waiters[:0]
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for !closed {
		r, ok := <-q.ch
		take(r, ok)
		if len(rows) > 0 && !closed {
			timer.Reset(AuditFlushDelay)
			select {
			case <-timer.C:
			case <-q.urgent:
				timer.Stop()
			}
		}
		// Take what is queued now; later rows wait for the next batch.
		for n := len(q.ch); n > 0 && !closed; n-- {
			r, ok := <-q.ch
			take(r, ok)
		}
		if closed {
			// Closed: nothing more can be sent, take the rest.
			for r := range q.ch {
				take(r, true)
			}
		}
		commit()
	}
}

// insertAudit commits rows in one transaction.
//
// The rows go in small statements with a pause between them: on a busy
// server (one core, GOMAXPROCS=1) a commit of a thousand rows would
// otherwise hold the processor for milliseconds and delay every request in
// flight. The pause is a sleep, not runtime.Gosched: a yielding goroutine
// is found again in the run queue before the scheduler polls the network,
// so the requests waiting for their next bytes stayed parked for the whole
// commit (until the runtime's 10 ms network poll); while this goroutine
// sleeps the processor runs out of work, polls the network and serves them.
// A commit then takes longer on the clock, never longer on the processor.
func (db *DB) insertAudit(rows []auditRow) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return db.writeOn(ctx, db.aud, Actor{}, func(tx *Tx) error {
		// Full chunks share one prepared statement (SQLite would parse
		// each otherwise: a fifth of the commit's processor time).
		var full *sql.Stmt
		if len(rows) >= 2*auditChunk {
			st, err := tx.tx.PrepareContext(ctx, db.rebind(auditInsert(auditChunk)))
			if err != nil {
				return fmt.Errorf("store: commit read audit rows: %w", err)
			}
			defer st.Close()
			full = st
		}
		args := make([]any, 0, 6*auditChunk)
		for lo := 0; lo < len(rows); lo += auditChunk {
			if lo > 0 {
				time.Sleep(auditPause)
			}
			part := rows[lo:min(lo+auditChunk, len(rows))]
			args = args[:0]
			for _, r := range part {
				args = append(args, formatTime(r.at), r.keyID, r.org, r.action, r.kind, r.obj)
			}
			var err error
			if full != nil && len(part) == auditChunk {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.exec(ctx, auditInsert(len(part)), args...)
			}
			if err != nil {
				return fmt.Errorf("store: commit read audit rows: %w", err)
			}
		}
		return nil
	})
}

// auditInsert is the statement inserting n audit rows.
func auditInsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_log (at, key_id, org, action, object_kind, object_id) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?, ?, ?, ?, ?)")
	}
	return b.String()
}

// ReadHousehold returns live household id, without a write transaction:
// it reads, then queues its "read" audit row for the
// next group commit (see AuditFlushDelay). It returns ErrNotFound for an
// unknown, deleted or foreign household.
func (db *DB) ReadHousehold(ctx context.Context, actor Actor, id string) (matcher.Household, error) {
	doc, _, err := db.ReadHouseholdDoc(ctx, actor, id)
	if err != nil {
		return matcher.Household{}, err
	}
	return DecodeHousehold(id, doc)
}

// ReadHouseholdDoc is ReadHousehold without the decoding: it returns the
// stored JSON document of household id (its content without the id), for
// hot paths that may not need the decoded value (a cached plan is keyed by
// the document's hash), and the data version committed when it was read
// (one read, so that both come from the same snapshot). Decode the
// document with DecodeHousehold.
func (db *DB) ReadHouseholdDoc(ctx context.Context, actor Actor, id string) (doc []byte, version int64, err error) {
	st, err := db.prepared(ctx, `SELECT h.doc, h.org, v.version FROM data_version v LEFT JOIN households h ON h.id = ? AND h.deleted_at IS NULL WHERE v.id = 1`)
	if err != nil {
		return nil, 0, fmt.Errorf("store: read household %s: %w", id, err)
	}
	var org sql.NullString
	// A point read of a few microseconds: not worth cancelling, and a
	// context that cannot be cancelled spares database/sql and the driver
	// a watcher goroutine each (two per cached plan).
	err = st.QueryRowContext(context.WithoutCancel(ctx), id).Scan(&doc, &org, &version)
	if err == nil && (!org.Valid || (org.String != actor.Org && !actor.admin())) {
		return nil, 0, fmt.Errorf("store: read household %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: read household %s: %w", id, err)
	}
	if err := db.auditRead(actor, "household", id); err != nil {
		return nil, 0, err
	}
	return doc, version, nil
}

// DecodeHousehold decodes a document of ReadHouseholdDoc and sets its id.
func DecodeHousehold(id string, doc []byte) (matcher.Household, error) {
	var h matcher.Household
	if err := json.Unmarshal(doc, &h); err != nil {
		return matcher.Household{}, fmt.Errorf("store: read household %s: decode: %w", id, err)
	}
	h.ID = id
	return h, nil
}

// prepared returns the prepared statement of query q (written with ?
// placeholders), preparing it on first use. Hot reads use it: SQLite
// otherwise parses the statement on every call.
func (db *DB) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.sql.PrepareContext(ctx, db.rebind(q))
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(q, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}
