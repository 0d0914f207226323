package api

import "testing"

// TestEveryOperationDeclaresItsShapes: an operation added to the table
// without an entry in operationShapes would be documented without its
// body and answer; one removed would leave a stale entry.
func TestEveryOperationDeclaresItsShapes(t *testing.T) {
	ids := map[string]bool{}
	for _, op := range operations {
		ids[op.ID] = true
		sh, ok := operationShapes[op.ID]
		if !ok {
			t.Errorf("%s: no entry in operationShapes (operation_shapes.go): declare its tag, body, answer and query parameters", op.ID)
			continue
		}
		if sh.Tag == "" || sh.Summary == "" || sh.Status == 0 {
			t.Errorf("%s: its entry needs a tag, a summary and a success status", op.ID)
		}
	}
	for id := range operationShapes {
		if !ids[id] {
			t.Errorf("operationShapes declares %s, which the operations table does not have", id)
		}
	}
}
