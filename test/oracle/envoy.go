package main

// Envoy's routing of one request through a RouteConfiguration: virtual host by :authority, then the
// first route whose match accepts the request. Written from Envoy's documented semantics
// (route_components.proto, HeaderMatcher, QueryParameterMatcher, StringMatcher); regexes are RE2,
// as in Envoy, through Go's regexp, which implements RE2's syntax and semantics.

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
)

func decide(tables map[string]*routev3.RouteConfiguration, req Request) Decision {
	name := routeNameOf(req)
	d := Decision{RouteConfig: name, Route: -1}
	rc := tables[name]
	if rc == nil {
		return d
	}
	vh := matchVirtualHost(rc, req.Host)
	if vh == nil {
		return d
	}
	d.VirtualHost = vh.Name
	for i, r := range vh.Routes {
		if routeMatches(r.Match, req) {
			d.Route = i
			action := summarizeAction(r)
			d.Action = &action
			return d
		}
	}
	return d
}

// matchVirtualHost: exact domain, then the longest `*suffix`, then the longest `prefix*`, then `*`.
func matchVirtualHost(rc *routev3.RouteConfiguration, authority string) *routev3.VirtualHost {
	h := strings.ToLower(authority)
	if rc.GetIgnorePortInHostMatching() {
		if i := strings.LastIndex(h, ":"); i >= 0 && !strings.Contains(h[i:], "]") {
			h = h[:i]
		}
	}
	for _, vh := range rc.VirtualHosts {
		for _, d := range vh.Domains {
			if strings.ToLower(d) == h {
				return vh
			}
		}
	}
	var best *routev3.VirtualHost
	longest := 0
	for _, vh := range rc.VirtualHosts {
		for _, d := range vh.Domains {
			if len(d) > 1 && d[0] == '*' && len(h) > len(d)-1 && strings.HasSuffix(h, strings.ToLower(d[1:])) && len(d) > longest {
				best, longest = vh, len(d)
			}
		}
	}
	if best != nil {
		return best
	}
	for _, vh := range rc.VirtualHosts {
		for _, d := range vh.Domains {
			if len(d) > 1 && d[len(d)-1] == '*' && len(h) > len(d)-1 && strings.HasPrefix(h, strings.ToLower(d[:len(d)-1])) && len(d) > longest {
				best, longest = vh, len(d)
			}
		}
	}
	if best != nil {
		return best
	}
	for _, vh := range rc.VirtualHosts {
		for _, d := range vh.Domains {
			if d == "*" {
				return vh
			}
		}
	}
	return nil
}

func splitPath(p string) (string, string) {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return p, ""
}

func routeMatches(m *routev3.RouteMatch, req Request) bool {
	path, rawQuery := splitPath(req.Path)
	caseSensitive := m.GetCaseSensitive() == nil || m.GetCaseSensitive().GetValue()
	fold := func(s string) string {
		if caseSensitive {
			return s
		}
		return strings.ToLower(s)
	}
	switch ps := m.GetPathSpecifier().(type) {
	case *routev3.RouteMatch_Prefix:
		// A prefix is compared with the whole :path, query string included; exact and regex paths
		// are compared with the path alone.
		if !strings.HasPrefix(fold(req.Path), fold(ps.Prefix)) {
			return false
		}
	case *routev3.RouteMatch_Path:
		if fold(path) != fold(ps.Path) {
			return false
		}
	case *routev3.RouteMatch_SafeRegex:
		if !fullMatch(ps.SafeRegex.GetRegex(), path) {
			return false
		}
	case *routev3.RouteMatch_PathSeparatedPrefix:
		p := ps.PathSeparatedPrefix
		if !strings.HasPrefix(fold(path), fold(p)) || (len(path) > len(p) && path[len(p)] != '/') {
			return false
		}
	default:
		// Path match policies (extensions) are not read: such a route never matches here.
		return false
	}
	for _, hm := range m.GetHeaders() {
		if !headerMatches(hm, req) {
			return false
		}
	}
	if len(m.GetQueryParameters()) > 0 {
		query, err := url.ParseQuery(rawQuery)
		if err != nil {
			return false
		}
		for _, qm := range m.GetQueryParameters() {
			values, ok := query[qm.GetName()]
			if !ok || len(values) == 0 {
				return false
			}
			if qm.GetPresentMatch() {
				continue
			}
			if sm := qm.GetStringMatch(); sm != nil && !stringMatches(sm, values[0]) {
				return false
			}
		}
	}
	// Runtime fractions, gRPC, TLS context, dynamic metadata and filter-state matchers depend on
	// data a plain request does not carry: a route using them is treated as not matching.
	if m.GetRuntimeFraction() != nil || m.GetGrpc() != nil || m.GetTlsContext() != nil ||
		len(m.GetDynamicMetadata()) > 0 || len(m.GetFilterState()) > 0 {
		return false
	}
	return true
}

func headerValue(req Request, name string) (string, bool) {
	switch strings.ToLower(name) {
	case ":authority", "host":
		return req.Host, true
	case ":method":
		if req.Method == "" {
			return "GET", true
		}
		return req.Method, true
	case ":path":
		return req.Path, true
	case ":scheme":
		return "http", true
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// headerMatches follows Envoy's HeaderUtility: a missing header matches only an inverted matcher,
// unless treat_missing_header_as_empty makes it the empty value.
func headerMatches(hm *routev3.HeaderMatcher, req Request) bool {
	value, present := headerValue(req, hm.GetName())
	if _, isPresent := hm.GetHeaderMatchSpecifier().(*routev3.HeaderMatcher_PresentMatch); isPresent {
		return (hm.GetPresentMatch() == present) != hm.GetInvertMatch()
	}
	if !present && !hm.GetTreatMissingHeaderAsEmpty() {
		return hm.GetInvertMatch()
	}
	var match bool
	switch spec := hm.GetHeaderMatchSpecifier().(type) {
	case *routev3.HeaderMatcher_StringMatch:
		match = stringMatches(spec.StringMatch, value)
	case *routev3.HeaderMatcher_ExactMatch:
		match = value == spec.ExactMatch
	case *routev3.HeaderMatcher_PrefixMatch:
		match = strings.HasPrefix(value, spec.PrefixMatch)
	case *routev3.HeaderMatcher_SuffixMatch:
		match = strings.HasSuffix(value, spec.SuffixMatch)
	case *routev3.HeaderMatcher_ContainsMatch:
		match = strings.Contains(value, spec.ContainsMatch)
	case *routev3.HeaderMatcher_SafeRegexMatch:
		match = fullMatch(spec.SafeRegexMatch.GetRegex(), value)
	case nil:
		// No specifier: Envoy treats it as a present match.
		match = present
	default:
		match = false
	}
	return match != hm.GetInvertMatch()
}

func stringMatches(sm *matcherv3.StringMatcher, value string) bool {
	v := value
	if sm.GetIgnoreCase() {
		v = strings.ToLower(v)
	}
	lower := func(s string) string {
		if sm.GetIgnoreCase() {
			return strings.ToLower(s)
		}
		return s
	}
	switch p := sm.GetMatchPattern().(type) {
	case *matcherv3.StringMatcher_Exact:
		return v == lower(p.Exact)
	case *matcherv3.StringMatcher_Prefix:
		return strings.HasPrefix(v, lower(p.Prefix))
	case *matcherv3.StringMatcher_Suffix:
		return strings.HasSuffix(v, lower(p.Suffix))
	case *matcherv3.StringMatcher_Contains:
		return strings.Contains(v, lower(p.Contains))
	case *matcherv3.StringMatcher_SafeRegex:
		return fullMatch(p.SafeRegex.GetRegex(), value)
	}
	return false
}

var compiled = map[string]*regexp.Regexp{}

// fullMatch: Envoy's safe_regex must match the whole value (RE2::FullMatch). A regex Envoy could
// not compile would be rejected with the whole configuration; here it never matches.
func fullMatch(expr, value string) bool {
	re, ok := compiled[expr]
	if !ok {
		re, _ = regexp.Compile(`^(?:` + expr + `)$`)
		compiled[expr] = re
	}
	return re != nil && re.MatchString(value)
}

func summarizeRouteConfig(rc *routev3.RouteConfiguration) RouteConfig {
	out := RouteConfig{Name: rc.Name}
	for _, vh := range rc.VirtualHosts {
		v := VirtualHost{Name: vh.Name, Domains: vh.Domains}
		for _, r := range vh.Routes {
			v.Routes = append(v.Routes, Route{Name: r.Name, Match: summarizeMatch(r.Match), Action: summarizeAction(r)})
		}
		out.VirtualHosts = append(out.VirtualHosts, v)
	}
	return out
}

func summarizeAction(r *routev3.Route) Action {
	switch a := r.Action.(type) {
	case *routev3.Route_Route:
		out := Action{Kind: "route"}
		switch cs := a.Route.GetClusterSpecifier().(type) {
		case *routev3.RouteAction_Cluster:
			out.Clusters = []WeightedCluster{{Name: cs.Cluster, Weight: 1}}
		case *routev3.RouteAction_WeightedClusters:
			for _, w := range cs.WeightedClusters.GetClusters() {
				out.Clusters = append(out.Clusters, WeightedCluster{Name: w.GetName(), Weight: w.GetWeight().GetValue()})
			}
		}
		for _, mp := range a.Route.GetRequestMirrorPolicies() {
			out.Mirrors = append(out.Mirrors, Mirror{Cluster: mp.GetCluster(), Percent: percent(mp.GetRuntimeFraction().GetDefaultValue())})
		}
		return out
	case *routev3.Route_Redirect:
		code := 301
		switch a.Redirect.GetResponseCode() {
		case routev3.RedirectAction_FOUND:
			code = 302
		case routev3.RedirectAction_SEE_OTHER:
			code = 303
		case routev3.RedirectAction_TEMPORARY_REDIRECT:
			code = 307
		case routev3.RedirectAction_PERMANENT_REDIRECT:
			code = 308
		}
		return Action{Kind: "redirect", Status: code}
	case *routev3.Route_DirectResponse:
		return Action{Kind: "directResponse", Status: int(a.DirectResponse.GetStatus())}
	}
	return Action{Kind: "other"}
}

// percent renders a FractionalPercent with four decimals, in integers so no rounding creeps in.
// A mirror without a runtime fraction mirrors everything.
func percent(fp *typev3.FractionalPercent) string {
	if fp == nil {
		return "100.0000"
	}
	n := uint64(fp.GetNumerator())
	var tenThousandths uint64
	switch fp.GetDenominator() {
	case typev3.FractionalPercent_HUNDRED:
		tenThousandths = n * 10000
	case typev3.FractionalPercent_TEN_THOUSAND:
		tenThousandths = n * 100
	case typev3.FractionalPercent_MILLION:
		tenThousandths = n
	}
	if tenThousandths > 1000000 {
		tenThousandths = 1000000
	}
	return fmt.Sprintf("%d.%04d", tenThousandths/10000, tenThousandths%10000)
}

func summarizeMatch(m *routev3.RouteMatch) Match {
	out := Match{CaseSensitive: m.GetCaseSensitive() == nil || m.GetCaseSensitive().GetValue()}
	switch ps := m.GetPathSpecifier().(type) {
	case *routev3.RouteMatch_Prefix:
		out.Path = &StringMatch{Prefix: &ps.Prefix}
	case *routev3.RouteMatch_Path:
		out.Path = &StringMatch{Exact: &ps.Path}
	case *routev3.RouteMatch_SafeRegex:
		re := ps.SafeRegex.GetRegex()
		out.Path = &StringMatch{Regex: &re}
	case *routev3.RouteMatch_PathSeparatedPrefix:
		out.Path = &StringMatch{PathSeparatedPrefix: &ps.PathSeparatedPrefix}
	}
	for _, h := range m.GetHeaders() {
		hm := HeaderMatch{Name: h.GetName(), Invert: h.GetInvertMatch(), TreatMissingHeaderAsEmpty: h.GetTreatMissingHeaderAsEmpty()}
		if _, ok := h.GetHeaderMatchSpecifier().(*routev3.HeaderMatcher_PresentMatch); ok {
			present := h.GetPresentMatch()
			hm.Present = &present
		} else if sm := h.GetStringMatch(); sm != nil {
			hm.Value = summarizeStringMatch(sm)
		}
		out.Headers = append(out.Headers, hm)
	}
	for _, q := range m.GetQueryParameters() {
		qm := QueryMatch{Name: q.GetName()}
		if q.GetPresentMatch() {
			present := true
			qm.Present = &present
		} else if sm := q.GetStringMatch(); sm != nil {
			qm.Value = summarizeStringMatch(sm)
		}
		out.Query = append(out.Query, qm)
	}
	if m.GetRuntimeFraction() != nil {
		out.Other = append(out.Other, "runtimeFraction")
	}
	if len(m.GetDynamicMetadata()) > 0 {
		out.Other = append(out.Other, "dynamicMetadata")
	}
	return out
}

func summarizeStringMatch(sm *matcherv3.StringMatcher) *StringMatch {
	out := &StringMatch{IgnoreCase: sm.GetIgnoreCase()}
	switch p := sm.GetMatchPattern().(type) {
	case *matcherv3.StringMatcher_Exact:
		out.Exact = &p.Exact
	case *matcherv3.StringMatcher_Prefix:
		out.Prefix = &p.Prefix
	case *matcherv3.StringMatcher_Suffix:
		out.Suffix = &p.Suffix
	case *matcherv3.StringMatcher_Contains:
		out.Contains = &p.Contains
	case *matcherv3.StringMatcher_SafeRegex:
		re := p.SafeRegex.GetRegex()
		out.Regex = &re
	}
	return out
}
