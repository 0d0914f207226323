package sqldb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-oss/amigo-server"
)

// The code below moves organizations between clusters without knowing the
// tenant tables' columns: it reads them from the database, so a table added
// to TenantTables is moved, verified and erased with no change here. Values
// travel in a neutral form (bool, int64, float64, string, []byte) so that
// SQLite and PostgreSQL can exchange rows and agree on checksums.

// columnKind classifies a column by its declared type name, which both
// drivers report.
type columnKind int

const (
	kindOther columnKind = iota
	kindBool
	kindInt
	kindFloat
	kindText
	kindBytes
)

func kindOf(typeName string) columnKind {
	t := strings.ToUpper(typeName)
	has := func(subs ...string) bool {
		return slices.ContainsFunc(subs, func(s string) bool { return strings.Contains(t, s) })
	}
	switch {
	case has("BOOL"):
		return kindBool
	case has("INT"):
		return kindInt
	case has("BLOB", "BYTEA"):
		return kindBytes
	case has("CHAR", "TEXT", "CLOB", "JSON", "UUID"):
		return kindText
	case has("REAL", "FLOA", "DOUB", "NUMERIC", "DECIMAL"):
		return kindFloat
	}
	return kindOther
}

// neutral converts a value as the driver returned it into the neutral form
// for a column of kind k.
func neutral(k columnKind, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		if k == kindInt {
			return boolInt(x)
		}
	case int64:
		if k == kindBool {
			return x != 0
		}
	case []byte:
		if k == kindText {
			return string(x)
		}
	case string:
		if k == kindBytes {
			return []byte(x)
		}
	case time.Time:
		return x.UTC()
	}
	return v
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// rowFunc receives one row of a tenant table.
type rowFunc = func(table string, cols []string, vals []any) error

// tenantColumns returns the column names and kinds of a tenant table.
func tenantColumns(ctx context.Context, q querier, table string) ([]string, []columnKind, error) {
	rows, err := q.QueryContext(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(types))
	kinds := make([]columnKind, len(types))
	for i, ct := range types {
		names[i], kinds[i] = ct.Name(), kindOf(ct.DatabaseTypeName())
	}
	return names, kinds, rows.Err()
}

// ScanOrganization implements amigo.OrgRowScanner.
func (db *ClusterStore) ScanOrganization(ctx context.Context, orgID string, fn rowFunc) error {
	return scanOrganization(ctx, db.db, orgID, fn)
}

// scanOrganization is ScanOrganization on a handle or a transaction.
func scanOrganization(ctx context.Context, q querier, orgID string, fn rowFunc) error {
	for _, table := range TenantTables {
		if err := scanTable(ctx, q, table, orgID, fn); err != nil {
			return fmt.Errorf("scan %s: %w", table, err)
		}
	}
	return nil
}

func scanTable(ctx context.Context, q querier, table, orgID string, fn rowFunc) error {
	rows, err := q.QueryContext(ctx, `SELECT * FROM `+table+` WHERE `+OrgColumn(table)+` = $1`, orgID)
	if err != nil {
		return err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	cols := make([]string, len(types))
	kinds := make([]columnKind, len(types))
	for i, ct := range types {
		cols[i], kinds[i] = ct.Name(), kindOf(ct.DatabaseTypeName())
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i := range vals {
			vals[i] = neutral(kinds[i], vals[i])
		}
		if err := fn(table, cols, vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReplaceOrganization implements amigo.MovableStore. The transaction
// commits only if the copy, read back inside it, matches a fresh read of the
// source: a source that changes or empties during the copy (because another
// run of the same move got further, say) leaves the target as it was.
func (db *ClusterStore) ReplaceOrganization(ctx context.Context, orgID string, src amigo.OrgRowScanner) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := eraseRows(ctx, tx, orgID); err != nil {
			return err
		}
		if err := copyRows(ctx, tx, orgID, src); err != nil {
			return err
		}
		want, err := checksums(func(fn rowFunc) error { return src.ScanOrganization(ctx, orgID, fn) })
		if err != nil {
			return err
		}
		got, err := checksums(func(fn rowFunc) error { return scanOrganization(ctx, tx, orgID, fn) })
		if err != nil {
			return err
		}
		if want[0].Rows == 0 {
			return fmt.Errorf("the source holds no organization %s", orgID)
		}
		return amigo.CompareChecksums(want, got)
	})
}

// copyRows inserts every row src scans for orgID, converting values to the
// kinds of the target's columns.
func copyRows(ctx context.Context, tx *sql.Tx, orgID string, src amigo.OrgRowScanner) error {
	type target struct {
		stmt  *sql.Stmt
		cols  []string
		kinds map[string]columnKind
	}
	targets := map[string]*target{}
	defer func() {
		for _, t := range targets {
			t.stmt.Close()
		}
	}()
	return src.ScanOrganization(ctx, orgID, func(table string, cols []string, vals []any) error {
		t := targets[table]
		if t == nil || !slices.Equal(t.cols, cols) {
			names, kinds, err := tenantColumns(ctx, tx, table)
			if err != nil {
				return err
			}
			t = &target{cols: cols, kinds: map[string]columnKind{}}
			for i, n := range names {
				t.kinds[n] = kinds[i]
			}
			quoted := make([]string, len(cols))
			for i, c := range cols {
				if _, ok := t.kinds[c]; !ok {
					return fmt.Errorf("table %s of the target cluster has no column %s; are both clusters migrated to the same version?", table, c)
				}
				quoted[i] = `"` + c + `"`
			}
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO `+table+` (`+strings.Join(quoted, ", ")+`) VALUES (`+placeholders(1, len(cols))+`)`)
			if err != nil {
				return err
			}
			if old := targets[table]; old != nil {
				old.stmt.Close()
			}
			t.stmt, targets[table] = stmt, t
		}
		args := make([]any, len(vals))
		for i, v := range vals {
			args[i] = neutral(t.kinds[cols[i]], v)
		}
		if _, err := t.stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		return nil
	})
}

// EraseOrganizationRows implements amigo.MovableStore.
func (db *ClusterStore) EraseOrganizationRows(ctx context.Context, orgID string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return eraseRows(ctx, tx, orgID) })
}

// eraseRows deletes orgID's rows, children before parents.
func eraseRows(ctx context.Context, tx *sql.Tx, orgID string) error {
	for _, table := range slices.Backward(TenantTables) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+OrgColumn(table)+` = $1`, orgID); err != nil {
			return fmt.Errorf("erase %s: %w", table, err)
		}
	}
	return nil
}

// OrganizationChecksums implements amigo.MovableStore.
func (db *ClusterStore) OrganizationChecksums(ctx context.Context, orgID string) ([]amigo.TableChecksum, error) {
	return checksums(func(fn rowFunc) error { return db.ScanOrganization(ctx, orgID, fn) })
}

// checksums sums the rows scan yields, one entry per tenant table. A
// table's sum is the SHA-256 of its rows' hashes in sorted order, so row
// order does not matter; a row's hash covers its columns by name, each value
// in a canonical form.
func checksums(scan func(rowFunc) error) ([]amigo.TableChecksum, error) {
	hashes := map[string][][]byte{}
	err := scan(func(table string, cols []string, vals []any) error {
		hashes[table] = append(hashes[table], rowHash(cols, vals))
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]amigo.TableChecksum, 0, len(TenantTables))
	for _, table := range TenantTables {
		rows := hashes[table]
		slices.SortFunc(rows, bytes.Compare)
		sum := sha256.New()
		for _, h := range rows {
			sum.Write(h)
		}
		out = append(out, amigo.TableChecksum{Table: table, Rows: int64(len(rows)), Sum: hex.EncodeToString(sum.Sum(nil))})
	}
	return out, nil
}

// rowHash hashes a row's columns in name order, each name and value
// length-prefixed so that no two rows encode alike.
func rowHash(cols []string, vals []any) []byte {
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(cols[a], cols[b]) })
	h := sha256.New()
	field := func(b []byte) {
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	for _, i := range order {
		field([]byte(cols[i]))
		field(canonical(vals[i]))
	}
	return h.Sum(nil)
}

// canonical encodes a neutral value with a type tag. Text and bytes share a
// tag: the engines store some values as one and some as the other.
func canonical(v any) []byte {
	switch x := v.(type) {
	case nil:
		return []byte{'n'}
	case bool:
		return []byte{'b', byte('0' + boolInt(x))}
	case int64:
		return strconv.AppendInt([]byte{'i'}, x, 10)
	case float64:
		return strconv.AppendFloat([]byte{'f'}, x, 'g', -1, 64)
	case string:
		return append([]byte{'s'}, x...)
	case []byte:
		return append([]byte{'s'}, x...)
	case time.Time:
		return strconv.AppendInt([]byte{'t'}, x.UnixMicro(), 10)
	default:
		return fmt.Appendf([]byte{'?'}, "%v", x)
	}
}
