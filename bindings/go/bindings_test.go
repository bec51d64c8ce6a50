package wastats

// The Go binding, used as a consumer would: every documented body decodes into the generated
// types and encodes back equal, the refused bodies are refused, the tolerant reading and the
// error classification agree with the Rust model, and a live wa-stats-mock's answers decode.
// Bodies and the Rust model's readings come from testdata/examples.json (`cargo xtask bindings`). The
// live tests need WA_STATS_MOCK_URL (a mock with `--rate-limit off`) and WA_STATS_STRICT_MOCK_URL
// (a mock with `--rate-limit 1`), set by tests/external/run.sh; without them they fail, saying so.

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

type documentedCase struct {
	Name    string          `json:"name"`
	Type    string          `json:"type"`
	Body    json.RawMessage `json:"body"`
	Status  int             `json:"status"`
	Kind    string          `json:"kind"`
	Code    *string         `json:"code"`
	Message *string         `json:"message"`
}

type refusedCase struct {
	What   string          `json:"what"`
	Type   string          `json:"type"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

type tolerantCase struct {
	Name    string          `json:"name"`
	Body    json.RawMessage `json:"body"`
	ReadsAs json.RawMessage `json:"readsAs"`
}

type liveCase struct {
	Name    string            `json:"name"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	Status  int               `json:"status"`
	Type    string            `json:"type"`
	Kind    string            `json:"kind"`
}

type examplesFile struct {
	Documented      []documentedCase `json:"documented"`
	Refused         []refusedCase    `json:"refused"`
	Tolerant        []tolerantCase   `json:"tolerant"`
	Live            []liveCase       `json:"live"`
	LiveRateLimited liveCase         `json:"liveRateLimited"`
}

func loadExamples(t *testing.T) examplesFile {
	t.Helper()
	text, err := os.ReadFile("testdata/examples.json")
	if err != nil {
		t.Fatalf("cannot read testdata/examples.json: %v", err)
	}
	var examples examplesFile
	if err := json.Unmarshal(text, &examples); err != nil {
		t.Fatalf("cannot decode testdata/examples.json: %v", err)
	}
	return examples
}

func jsonValue(t *testing.T, text []byte) interface{} {
	t.Helper()
	var value interface{}
	if err := json.Unmarshal(text, &value); err != nil {
		t.Fatalf("not JSON: %v: %s", err, text)
	}
	return value
}

// decode decodes text into the generated type named typeName and encodes it back.
func decode(typeName string, status int, text []byte) ([]byte, error) {
	switch typeName {
	case "CampaignStatistics":
		statistics, err := ReadStatistics(text)
		if err != nil {
			return nil, err
		}
		return statistics.Marshal()
	case "CampaignStatisticsEnvelope":
		envelope, err := UnmarshalCampaignStatisticsEnvelope(text)
		if err != nil {
			return nil, err
		}
		if _, err := ReadStatistics(text); err != nil {
			return nil, err
		}
		return envelope.Marshal()
	case "CampaignStatisticsRequest":
		request, err := DecodeRequest(text)
		if err != nil {
			return nil, err
		}
		return request.Marshal()
	default:
		classified := Classify(status, text)
		if body := typedBody(classified, typeName); body != nil {
			return json.Marshal(body)
		}
		return nil, &DecodeError{"$", "not a " + typeName}
	}
}

// typedBody returns the error's typed body if it is of the named type.
func typedBody(classified *APIError, typeName string) interface{} {
	switch {
	case typeName == "CodedErrorBody" && classified.Coded != nil:
		return classified.Coded
	case typeName == "FieldErrorsBody" && classified.FieldErrors != nil:
		return classified.FieldErrors
	case typeName == "RateLimitedBody" && classified.RateLimited != nil:
		return classified.RateLimited
	case typeName == "MessageBody" && classified.MessageOnly != nil:
		return classified.MessageOnly
	}
	return nil
}

func TestDocumentedBodiesRoundTrip(t *testing.T) {
	for _, example := range loadExamples(t).Documented {
		example := example
		t.Run(example.Name, func(t *testing.T) {
			encoded, err := decode(example.Type, example.Status, example.Body)
			if err != nil {
				t.Fatalf("does not decode as %s: %v", example.Type, err)
			}
			if got, want := jsonValue(t, encoded), jsonValue(t, example.Body); !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip changed the body:\n got %s\nwant %s", encoded, example.Body)
			}
		})
	}
}

func TestGeneratedDecodersReadTheSampleAsPlainIntegers(t *testing.T) {
	sample := loadExamples(t).Documented[1]
	statistics, err := UnmarshalCampaignStatistics(sample.Body)
	if err != nil {
		t.Fatal(err)
	}
	if rate := float64(statistics.Delivered) / float64(statistics.Sent); rate != 1150.0/1200.0 {
		t.Fatalf("delivery rate %v", rate)
	}
	if statistics.DropDetails.InvalidPhoneNumbers != 8 {
		t.Fatalf("dropDetails %+v", statistics.DropDetails)
	}
}

func TestRefusedBodiesAreRefused(t *testing.T) {
	for _, refused := range loadExamples(t).Refused {
		refused := refused
		t.Run(refused.What, func(t *testing.T) {
			if _, err := decode(refused.Type, refused.Status, refused.Body); err == nil {
				t.Fatalf("%s accepted as %s", refused.Body, refused.Type)
			}
		})
	}
	// The generated decoder alone refuses the type errors, as Go's encoding/json does.
	if _, err := UnmarshalCampaignStatisticsRequest([]byte(`{"campaign_id":"12345"}`)); err == nil {
		t.Fatal("a string campaign_id decoded")
	}
	if _, err := UnmarshalRateLimitedBody([]byte(`{"message":"rate limited","error":{"message":"rate limited","code":"2021"}}`)); err == nil {
		t.Fatal("a string code decoded")
	}
}

// known keeps only the fields Go's structs hold: unknown fields are dropped by encoding/json.
func known(value interface{}, typeName string) interface{} {
	fields, isObject := value.(map[string]interface{})
	if !isObject {
		return value
	}
	kept := map[string]interface{}{}
	for field, item := range fields {
		if _, ok := defaults[typeName][field]; ok {
			kept[field] = item
		} else if nestedType, ok := nested[field]; ok && typeName == "CampaignStatistics" {
			if list, isList := item.([]interface{}); isList {
				for index := range list {
					list[index] = known(list[index], nestedType)
				}
				kept[field] = list
			} else {
				kept[field] = known(item, nestedType)
			}
		}
	}
	return kept
}

func TestTolerantReadingAgreesWithTheRustModel(t *testing.T) {
	for _, tolerant := range loadExamples(t).Tolerant {
		tolerant := tolerant
		t.Run(tolerant.Name, func(t *testing.T) {
			statistics, err := ReadStatistics(tolerant.Body)
			if err != nil {
				t.Fatal(err)
			}
			encoded, _ := statistics.Marshal()
			want := known(jsonValue(t, tolerant.ReadsAs), "CampaignStatistics")
			if got := jsonValue(t, encoded); !reflect.DeepEqual(got, want) {
				t.Fatalf("\n got %s\nwant %v", encoded, want)
			}
		})
	}
}

func TestClassificationAgreesWithTheRustModel(t *testing.T) {
	text := func(value *string) string {
		if value == nil {
			return "<none>"
		}
		return *value
	}
	for _, example := range loadExamples(t).Documented {
		if example.Status == 0 {
			continue
		}
		example := example
		t.Run(example.Name, func(t *testing.T) {
			classified := Classify(example.Status, example.Body)
			if string(classified.Kind) != example.Kind || text(classified.Code) != text(example.Code) ||
				text(classified.Message) != text(example.Message) {
				t.Fatalf("got %s %s %q, want %s %s %q", classified.Kind, text(classified.Code),
					text(classified.Message), example.Kind, text(example.Code), text(example.Message))
			}
			if typedBody(classified, example.Type) == nil {
				t.Fatalf("no %s body", example.Type)
			}
		})
	}
	proxy := Classify(502, []byte("<html>Bad Gateway</html>"))
	if proxy.Kind != KindOther || proxy.Raw != "<html>Bad Gateway</html>" || proxy.Error() != "HTTP 502: <html>Bad Gateway</html>" {
		t.Fatalf("%+v", proxy)
	}
	numeric := Classify(400, []byte(`{"message":"m","errorCode":3004}`))
	if numeric.Kind != KindCampaignNotFound || text(numeric.Code) != "3004" {
		t.Fatalf("%+v", numeric)
	}
}

func mockURL(t *testing.T, variable string) string {
	t.Helper()
	url := os.Getenv(variable)
	if url == "" {
		t.Fatalf("%s is not set: run `bash tests/external/run.sh` (it starts the mocks), or start two "+
			"mocks (target/release/wa-stats-mock after `cargo build --release -p wa-stats-mock`): "+
			"`wa-stats-mock --listen 127.0.0.1:8080 --rate-limit off` for WA_STATS_MOCK_URL and "+
			"`wa-stats-mock --listen 127.0.0.1:8081 --rate-limit 1` for WA_STATS_STRICT_MOCK_URL, "+
			"then set each to the URL its mock printed", variable)
	}
	return url
}

var client = &http.Client{Timeout: 10 * time.Second}

func fetch(t *testing.T, base string, live liveCase) (int, []byte) {
	t.Helper()
	var body io.Reader
	if live.Method == "POST" {
		body = strings.NewReader(live.Body)
	}
	request, err := http.NewRequest(live.Method, base+live.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	request.Header.Set("content-type", "application/json")
	for name, value := range live.Headers {
		request.Header.Set(name, value)
	}
	answer, err := client.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	defer answer.Body.Close()
	text, err := io.ReadAll(answer.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer.StatusCode, text
}

func checkLive(t *testing.T, live liveCase, status int, text []byte) {
	t.Helper()
	if status != live.Status {
		t.Fatalf("status %d, want %d: %s", status, live.Status, text)
	}
	if status != 200 {
		if kind := Classify(status, text).Kind; string(kind) != live.Kind {
			t.Fatalf("kind %s, want %s: %s", kind, live.Kind, text)
		}
	}
	encoded, err := decode(live.Type, status, text)
	if err != nil {
		t.Fatalf("does not decode as %s: %v: %s", live.Type, err, text)
	}
	if !reflect.DeepEqual(jsonValue(t, encoded), jsonValue(t, text)) {
		t.Fatalf("round trip changed the answer:\n got %s\nwant %s", encoded, text)
	}
}

func TestLiveMockAnswersDecode(t *testing.T) {
	examples := loadExamples(t)
	base := mockURL(t, "WA_STATS_MOCK_URL")
	for _, live := range examples.Live {
		live := live
		t.Run(live.Name, func(t *testing.T) {
			status, text := fetch(t, base, live)
			checkLive(t, live, status, text)
		})
	}
}

func TestLiveRateLimitedAnswerDecodes(t *testing.T) {
	live := loadExamples(t).LiveRateLimited
	base := mockURL(t, "WA_STATS_STRICT_MOCK_URL")
	status, text := 0, []byte(nil)
	for attempt := 0; attempt < 20 && status != 429; attempt++ {
		status, text = fetch(t, base, live)
	}
	checkLive(t, live, status, text)
}
