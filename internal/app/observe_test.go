package app

import (
	"context"
	"hotline/flows"
	"hotline/storage"
	"hotline/storage/storagetest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestMetricsReportFiledOnce stores one report twice, as a retried update
// does: one report filed.
func TestMetricsReportFiledOnce(t *testing.T) {
	t.Parallel()
	db := storagetest.Postgres(t)
	reg := prometheus.NewRegistry()
	obs := newObserver(reg)
	cases := obs.cases(storage.NewCases(db, storagetest.Keys(t)))
	r := &flows.Report{DraftID: "draft-filed-once", Consent: true, NameLatin: "Test Person",
		ReporterUserID: 7100101, ReporterChatID: 7100101, Lang: "en"}
	first, err := cases.Create(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	again, err := cases.Create(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if again.Code != first.Code {
		t.Errorf("second store gave case %s, want the first one, %s", again.Code, first.Code)
	}
	if got := testutil.ToFloat64(obs.filed); got != 1 {
		t.Errorf("reports filed: %v, want 1", got)
	}
}
