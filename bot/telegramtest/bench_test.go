package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSendMessage measures how many sendMessage calls (JSON bodies,
// keep-alive connections) the fake serves, so that a load test of the bot
// knows the fake is not its ceiling.
func BenchmarkSendMessage(b *testing.B) {
	s := New()
	defer s.Close()
	const users = 1000
	for i := range users {
		s.User(int64(i+1), "en")
	}
	url := s.URL() + "/bot" + s.Token() + "/sendMessage"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"chat_id":%d,"text":"<b>Question</b> %d","parse_mode":"HTML","reply_markup":{"inline_keyboard":[[{"text":"Yes","callback_data":"y"},{"text":"No","callback_data":"n"}]]}}`, i%users+1, i)
			resp, err := client.Post(url, "application/json", bytes.NewBufferString(body))
			if err != nil {
				b.Error(err)
				return
			}
			var r apiResp
			_ = json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			if !r.OK {
				b.Errorf("sendMessage: %s", r.Description)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkUpdates measures updates made by users and drained by one
// long-polling reader, 100 at a time.
func BenchmarkUpdates(b *testing.B) {
	s := New()
	defer s.Close()
	u := s.User(1, "en")
	url := s.URL() + "/bot" + s.Token() + "/getUpdates"
	done := make(chan int)
	go func() {
		var offset int64
		got := 0
		for got < b.N {
			resp, err := http.Post(url, "application/json", bytes.NewBufferString(fmt.Sprintf(`{"offset":%d,"timeout":10}`, offset)))
			if err != nil {
				b.Error(err)
				break
			}
			var r struct {
				Result []struct {
					ID int64 `json:"update_id"`
				} `json:"result"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			for _, up := range r.Result {
				offset = up.ID + 1
			}
			got += len(r.Result)
		}
		done <- got
	}()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		u.Send(fmt.Sprint("answer ", i))
	}
	<-done
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "updates/s")
}
