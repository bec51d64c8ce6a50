// A consumer of the Go binding the way bindings/go/README.md tells one to take it: this go.mod's
// require and replace lines, a copy of the module under third_party/wastats, the README's request
// with its Authorization header. tests/external/run.sh runs it against the live mock.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	wastats "github.com/wa-stats/wa-stats/bindings/go"
)

func post(base, token string, campaignID int) (int, []byte, error) {
	request, err := http.NewRequest(http.MethodPost, base+"/api/wa/v2/statistics/campaign",
		strings.NewReader(fmt.Sprintf(`{"campaign_id":%d}`, campaignID)))
	if err != nil {
		return 0, nil, err
	}
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set("Authorization", "Bearer "+token)
	answer, err := http.DefaultClient.Do(request)
	if err != nil {
		return 0, nil, err
	}
	defer answer.Body.Close()
	body, err := io.ReadAll(answer.Body)
	return answer.StatusCode, body, err
}

func run() error {
	base, token := os.Getenv("WA_STATS_MOCK_URL"), os.Getenv("WA_STATS_TOKEN")
	if base == "" || token == "" {
		return fmt.Errorf("set WA_STATS_MOCK_URL and WA_STATS_TOKEN (tests/external/run.sh does)")
	}
	status, body, err := post(base, token, 12345)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return wastats.Classify(status, body)
	}
	stats, err := wastats.ReadStatistics(body)
	if err != nil {
		return err
	}
	var sent, capped int64 = stats.Sent, stats.DropDetails.FrequencyCapped
	fmt.Printf("wastats %s, campaign 12345: sent=%d delivered=%d frequencyCapped=%d mediaErrors=%d\n",
		wastats.Version, sent, stats.Delivered, capped, stats.UndeliveredDetails.MediaErrors)

	status, body, err = post(base, token, 99999)
	if err != nil {
		return err
	}
	apiErr := wastats.Classify(status, body)
	if apiErr.Kind != wastats.KindCampaignNotFound {
		return fmt.Errorf("campaign 99999: expected %s, got %v", wastats.KindCampaignNotFound, apiErr)
	}
	fmt.Printf("campaign 99999: %v\n", apiErr)
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
