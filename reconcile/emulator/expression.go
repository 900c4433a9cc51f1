package emulator

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/xtsync/xtsync/tenants/expr"
)

// GET servicePrincipals/{sp}/synchronization/templates: the Azure2Azure
// template with its default schema.
func (c *call) listTemplates() resp {
	sp := c.sp()
	if sp == nil {
		return notFound(c.p["sp"])
	}
	tpl := map[string]any{
		"id":            "Azure2Azure",
		"applicationId": str(sp.Props["appId"]),
		"default":       true,
		"description":   "Azure Active Directory to Azure Active Directory (cross-tenant synchronization)",
		"discoverable":  true,
		"factoryTag":    "Azure2Azure",
		"metadata": []any{
			map[string]any{"key": "SupportedAuthenticationTypes", "value": `["SyncPolicy"]`},
		},
		"schema": defaultSchema(),
	}
	return ok(map[string]any{"@odata.context": c.contextURL("servicePrincipals('" + sp.id() + "')/synchronization/templates"), "value": []any{tpl}})
}

// POST .../jobs/{job}/schema/parseExpression: parses and evaluates a
// mapping expression with tenants/expr (the engine xtsync's simulator
// uses), against testInputObject's properties.
func (c *call) parseExpression() resp {
	if _, _, r := c.job(); r != nil {
		return *r
	}
	var body struct {
		Expression      string `json:"expression"`
		TestInputObject *struct {
			Properties []struct {
				Key   string `json:"key"`
				Value any    `json:"value"`
			} `json:"properties"`
		} `json:"testInputObject"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil {
		return badRequest("Unable to read JSON request payload: %v", err)
	}
	out := map[string]any{
		"@odata.context":      c.contextURL("microsoft.graph.parseExpressionResponse"),
		"parsingSucceeded":    false,
		"evaluationSucceeded": false,
		"evaluationResult":    nil,
		"parsedExpression":    nil,
		"error":               nil,
	}
	e, err := expr.Parse(body.Expression)
	if err != nil {
		out["error"] = map[string]any{"code": "ExpressionParsingFailed", "message": err.Error()}
		return ok(out)
	}
	out["parsingSucceeded"] = true
	out["parsedExpression"] = map[string]any{"type": "Function", "expression": e.String(), "parameters": []any{}}
	if body.TestInputObject == nil {
		return ok(out)
	}
	props := map[string]any{}
	for _, p := range body.TestInputObject.Properties {
		props[p.Key] = p.Value
	}
	v, err := e.Eval(expr.Env{
		Attr: func(name string) any {
			_, v := propFold(props, name)
			return v
		},
		Now:  func() string { return time.Now().UTC().Format("2006-01-02T15:04:05.0000000Z") },
		Guid: func() string { return c.s.st.newID("guid") },
	})
	if err != nil {
		out["error"] = map[string]any{"code": "ExpressionEvaluationFailed", "message": err.Error()}
		return ok(out)
	}
	out["evaluationSucceeded"] = true
	out["evaluationResult"] = evaluationResult(v)
	return ok(out)
}

// evaluationResult renders a value as Graph's list of strings.
func evaluationResult(v any) []string {
	switch x := v.(type) {
	case nil:
		return []string{}
	case []any:
		out := []string{}
		for _, e := range x {
			out = append(out, evaluationResult(e)...)
		}
		return out
	case bool:
		if x {
			return []string{"True"}
		}
		return []string{"False"}
	case int64:
		return []string{strconv.FormatInt(x, 10)}
	case string:
		return []string{x}
	}
	return []string{fmt.Sprint(v)}
}
