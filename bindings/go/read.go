package wastats

// What JSON Schema cannot say, in a few lines: the tolerant reading of a success body (R10) and
// the classification of an error answer (R11), beside the generated types of types.go. Both agree
// with the Rust model on every documented body (bindings_test.go, over ../examples.json).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// DecodeError is a body that is not what it claims to be; Path names the offending field.
type DecodeError struct {
	Path    string
	Problem string
}

func (e *DecodeError) Error() string { return e.Path + ": " + e.Problem }

type object = map[string]json.RawMessage

// withDefaults fills in the fields of typeName a body left out and checks that each counter is a
// non-negative integer (`revenue` may be any number); the generated types check the rest.
func withDefaults(typeName string, value object, path string) error {
	for field, fallback := range defaults[typeName] {
		item, present := value[field]
		if !present {
			value[field] = json.RawMessage(fallback)
			continue
		}
		if fallback == "0" && field != "revenue" {
			if _, err := strconv.ParseUint(string(bytes.TrimSpace(item)), 10, 63); err != nil {
				return &DecodeError{path + "." + field, "expected a non-negative integer, got " + string(item)}
			}
		}
	}
	return nil
}

func isAlwaysPresent(field string) bool {
	for _, name := range alwaysPresent {
		if name == field {
			return true
		}
	}
	return false
}

func readFlat(value object, path string) error {
	// `read` is the enveloped name of `open`; when both came, `open` wins.
	if read, ok := value["read"]; ok {
		if _, hasOpen := value["open"]; !hasOpen {
			value["open"] = read
			delete(value, "read")
		}
	}
	for field, typeName := range nested {
		raw, ok := value[field]
		if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
			// The reason breakdowns are in every canonical body: an absent one reads as zeros.
			if isAlwaysPresent(field) {
				filled := object{}
				if err := withDefaults(typeName, filled, path+"."+field); err != nil {
					return err
				}
				value[field], _ = json.Marshal(filled)
			} else {
				delete(value, field)
			}
			continue
		}
		at := path + "." + field
		trimmed := bytes.TrimSpace(raw)
		switch {
		case len(trimmed) > 0 && trimmed[0] == '[':
			var items []object
			if err := json.Unmarshal(raw, &items); err != nil {
				return &DecodeError{at, "expected a list of objects"}
			}
			for index, item := range items {
				if err := withDefaults(typeName, item, fmt.Sprintf("%s[%d]", at, index)); err != nil {
					return err
				}
			}
			value[field], _ = json.Marshal(items)
		default:
			var item object
			if err := json.Unmarshal(raw, &item); err != nil {
				return &DecodeError{at, "expected an object"}
			}
			if err := withDefaults(typeName, item, at); err != nil {
				return err
			}
			value[field], _ = json.Marshal(item)
		}
	}
	return withDefaults("CampaignStatistics", value, path)
}

// ReadStatistics reads a success body in any form R10 accepts: the flat Sample Response, the
// {"data":{"statistics":{...}}} envelope (`read` for `open`), counters left out (read as 0), a
// reason breakdown left out or null (read as all zeros). A
// negative, fractional or non-number counter is an error. Go's structs cannot keep unknown fields:
// decode the body into a map as well if you need them.
func ReadStatistics(body []byte) (CampaignStatistics, error) {
	var value object
	if err := json.Unmarshal(body, &value); err != nil {
		return CampaignStatistics{}, err
	}
	if value == nil {
		return CampaignStatistics{}, &DecodeError{"$", "a success body is a JSON object"}
	}
	path := "$"
	var envelope object
	if json.Unmarshal(value["data"], &envelope) == nil && envelope != nil {
		var inner object
		if json.Unmarshal(envelope["statistics"], &inner) == nil && inner != nil {
			value, path = inner, "$.data.statistics"
		}
	}
	if err := readFlat(value, path); err != nil {
		return CampaignStatistics{}, err
	}
	flat, err := json.Marshal(value)
	if err != nil {
		return CampaignStatistics{}, err
	}
	return UnmarshalCampaignStatistics(flat)
}

// DecodeRequest decodes a request body and checks what the canonical schema states: a positive
// campaign_id and 10-digit times.
func DecodeRequest(body []byte) (CampaignStatisticsRequest, error) {
	request, err := UnmarshalCampaignStatisticsRequest(body)
	if err != nil {
		return request, err
	}
	if request.CampaignID < 1 {
		return request, &DecodeError{"$.campaign_id", "expected an integer greater than 0"}
	}
	for name, time := range map[string]*int64{"start_time": request.StartTime, "end_time": request.EndTime} {
		if time != nil && (*time < 1_000_000_000 || *time > 9_999_999_999) {
			return request, &DecodeError{"$." + name, "expected a 10-digit Unix timestamp in seconds"}
		}
	}
	return request, nil
}

// APIError is an error answer, classified. At most one of the typed bodies is set: the
// documented shape, when the body had it. Raw is always the text as received.
type APIError struct {
	Status      int
	Kind        ErrorKind
	Code        *string
	Message     *string
	Raw         string
	Coded       *CodedErrorBody
	FieldErrors *FieldErrorsBody
	RateLimited *RateLimitedBody
	MessageOnly *MessageBody
}

func (e *APIError) Error() string {
	text := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != nil {
		text += " (code " + *e.Code + ")"
	}
	if e.Message != nil {
		return text + ": " + *e.Message
	}
	return text + ": " + e.Raw
}

func jsonText(raw json.RawMessage) *string {
	var text string
	if json.Unmarshal(raw, &text) != nil {
		text = string(bytes.TrimSpace(raw))
	}
	return &text
}

func present(raw json.RawMessage) bool {
	trimmed := bytes.TrimSpace(raw)
	return len(trimmed) > 0 && !bytes.Equal(trimmed, []byte("null"))
}

// Classify classifies an error answer from its status and body, in tiers: the documented shape,
// else any JSON object (its message and code picked out), else the raw text.
func Classify(status int, body []byte) *APIError {
	result := &APIError{Status: status, Kind: KindOther, Raw: string(bytes.ToValidUTF8(body, []byte("\uFFFD")))}
	var value object
	_ = json.Unmarshal(body, &value)
	if present(value["message"]) {
		result.Message = jsonText(value["message"])
	}
	var codeText *string
	if raw := bytes.TrimSpace(value["errorCode"]); len(raw) > 0 && (raw[0] == '"' || raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
		codeText = jsonText(raw)
	}
	result.Code = codeText
	var inner object
	if result.Code == nil && json.Unmarshal(value["error"], &inner) == nil && present(inner["code"]) {
		result.Code = jsonText(inner["code"])
	}
	decode := func(target interface{}) bool { return json.Unmarshal(body, target) == nil }
	messageOnly := func() {
		var typed MessageBody
		if result.Message != nil && decode(&typed) {
			result.MessageOnly = &typed
		}
	}
	switch {
	case status == 401:
		result.Kind = KindUnauthorized
		messageOnly()
	case status == 429:
		result.Kind = KindRateLimited
		var typed RateLimitedBody
		if present(value["error"]) && decode(&typed) {
			result.RateLimited = &typed
		}
	case codeText != nil && kindOfCode[*codeText] != "":
		result.Kind = kindOfCode[*codeText]
		var typed CodedErrorBody
		if decode(&typed) {
			result.Coded = &typed
		}
	case status == 422 && codeText == nil:
		var fieldErrors map[string][]string
		if json.Unmarshal(value["errors"], &fieldErrors) == nil && fieldErrors != nil {
			result.Kind = KindNotAWhatsAppCampaign
			var typed FieldErrorsBody
			if decode(&typed) {
				result.FieldErrors = &typed
			}
		}
	default:
		messageOnly()
	}
	return result
}
