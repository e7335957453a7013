package storage_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"hotline/storage"
)

func TestParseRedisURL(t *testing.T) {
	tests := []struct {
		url     string
		cluster []string // the cluster's seed addresses; nil for one server
		bad     bool
	}{
		{url: "redis://127.0.0.1:6379/2"},
		{url: "rediss://user:pw@redis.example.org:6380/0"},
		{url: "redis+cluster://h1:7001,h2:7002,h3:7003", cluster: []string{"h1:7001", "h2:7002", "h3:7003"}},
		{url: "rediss+cluster://u:s3cret@h1:7001,h2:7002/0?max_redirects=4", cluster: []string{"h1:7001", "h2:7002"}},
		{url: "redis+cluster://h1:7001/1", bad: true},
		{url: "redis+cluster://u:s3cret@h1:7001,:7002", bad: true},
		{url: "http://h1:7001", bad: true},
		{url: "h1:7001", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			o, err := storage.ParseRedisURL(tt.url)
			if tt.bad {
				if !errors.Is(err, storage.ErrRedisURL) {
					t.Fatalf("err = %v, want ErrRedisURL", err)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.cluster == nil {
				if o.Server == nil || o.Cluster != nil {
					t.Errorf("options = %+v, want one server", o)
				}
				return
			}
			if o.Cluster == nil || fmt.Sprint(o.Cluster.Addrs) != fmt.Sprint(tt.cluster) {
				t.Fatalf("cluster options = %+v, want seeds %v", o.Cluster, tt.cluster)
			}
			if strings.Contains(tt.url, "s3cret") && o.Cluster.Password != "s3cret" {
				t.Errorf("password = %q, want s3cret", o.Cluster.Password)
			}
		})
	}
}
