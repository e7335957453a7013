package telegramtest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// The parsers below follow TDLib's (td/telegram/MessageEntity.cpp), which is
// what the Bot API runs: the same tags are accepted and the same mistakes are
// refused with the same words, so an escaping bug in the bot fails here as
// it would at Telegram. Offsets of entities are in UTF-16 code units.

// format turns text in a parse mode into what the user sees and its
// entities, trimmed as Telegram trims it.
func format(text, mode, entitiesJSON string) (string, []models.MessageEntity, *apiError) {
	if !utf8.ValidString(text) {
		return "", nil, badRequest("text must be encoded in UTF-8")
	}
	var (
		plain string
		ents  []models.MessageEntity
		err   error
	)
	switch strings.ToLower(mode) {
	case "":
		plain = text
		if strings.TrimSpace(entitiesJSON) != "" {
			if jerr := json.Unmarshal([]byte(entitiesJSON), &ents); jerr != nil {
				return "", nil, badRequest("can't parse entities JSON object")
			}
		}
	case "html":
		plain, ents, err = parseHTML(text)
	case "markdownv2":
		plain, ents, err = parseMarkdownV2(text)
	case "markdown":
		plain, ents, err = parseMarkdown(text)
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	if err != nil {
		return "", nil, badRequest("can't parse entities: %v", err)
	}
	plain, ents = trim(plain, ents)
	return plain, ents, nil
}

// u16 is how many UTF-16 code units r takes.
func u16(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// u16len is the length of s in UTF-16 code units.
func u16len(s string) int {
	n := 0
	for _, r := range s {
		n += u16(r)
	}
	return n
}

// trim removes leading and trailing white space, moving the entities along.
func trim(text string, ents []models.MessageEntity) (string, []models.MessageEntity) {
	lead := len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
	shift := u16len(text[:lead])
	text = strings.TrimSpace(text)
	total := u16len(text)
	out := ents[:0]
	for _, e := range ents {
		end := e.Offset + e.Length - shift
		e.Offset -= shift
		if e.Offset < 0 {
			e.Offset = 0
		}
		if end > total {
			end = total
		}
		e.Length = end - e.Offset
		if e.Length > 0 {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return text, nil
	}
	return text, out
}

func sortEntities(ents []models.MessageEntity) {
	sort.SliceStable(ents, func(i, j int) bool {
		if ents[i].Offset != ents[j].Offset {
			return ents[i].Offset < ents[j].Offset
		}
		return ents[i].Length > ents[j].Length
	})
}

// htmlSpace is TDLib's is_space.
func htmlSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 || c == '\v' || c == '\f'
}

// decodeEntity decodes an HTML character reference at the start of s. TDLib
// knows only &lt; &gt; &amp; &quot; and numeric ones; anything else is kept
// as text.
func decodeEntity(s string) (rune, int) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 12 {
		return 0, 0
	}
	name := s[1:end]
	switch name {
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "amp":
		return '&', end + 1
	case "quot":
		return '"', end + 1
	}
	if name[0] != '#' || len(name) < 2 {
		return 0, 0
	}
	base, digits := 10, name[1:]
	if digits[0] == 'x' || digits[0] == 'X' {
		base, digits = 16, digits[1:]
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || n == 0 || n > unicode.MaxRune || (n >= 0xD800 && n <= 0xDFFF) {
		return 0, 0
	}
	return rune(n), end + 1
}

// htmlTags are the start tags Telegram accepts (and any tg-…).
var htmlTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "s": true, "strike": true,
	"del": true, "u": true, "ins": true, "span": true, "pre": true, "code": true, "blockquote": true,
}

// parseHTML is TDLib's parse_html.
func parseHTML(text string) (string, []models.MessageEntity, error) {
	type open struct {
		tag, arg string
		off      int
	}
	var (
		out   strings.Builder
		pos   int // UTF-16 length of out
		stack []open
		ents  []models.MessageEntity
	)
	at := func(i int) byte { // NUL past the end, like the C string TDLib reads
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c == '&' {
			if r, n := decodeEntity(text[i:]); n > 0 {
				out.WriteRune(r)
				pos += u16(r)
				i += n
				continue
			}
		}
		if c != '<' {
			r, n := utf8.DecodeRuneInString(text[i:])
			out.WriteString(text[i : i+n])
			pos += u16(r)
			i += n
			continue
		}
		begin := i
		i++
		if at(i) != '/' {
			end := i
			for !htmlSpace(at(end)) && at(end) != '>' {
				end++
			}
			if end >= len(text) {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			tag := strings.ToLower(text[i:end])
			if !strings.HasPrefix(tag, "tg-") && !htmlTags[tag] {
				return "", nil, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", tag, begin)
			}
			arg := ""
			for at(end) != '>' {
				for at(end) != 0 && htmlSpace(at(end)) {
					end++
				}
				if at(end) == '>' {
					break
				}
				if end >= len(text) {
					return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				nameBegin := end
				for !htmlSpace(at(end)) && at(end) != '=' && end < len(text) {
					end++
				}
				name := strings.ToLower(text[nameBegin:end])
				if name == "" {
					return "", nil, fmt.Errorf("Empty attribute name in the tag \"%s\" at byte offset %d", tag, begin)
				}
				for at(end) != 0 && htmlSpace(at(end)) {
					end++
				}
				if at(end) != '=' {
					if end >= len(text) {
						return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
					}
					return "", nil, fmt.Errorf("Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", tag, begin)
				}
				end++
				for at(end) != 0 && htmlSpace(at(end)) {
					end++
				}
				if end >= len(text) {
					return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				var value string
				if q := at(end); q != '\'' && q != '"' {
					tokenBegin := end
					for end < len(text) && (isAlnum(text[end]) || text[end] == '.' || text[end] == '-') {
						end++
					}
					value = strings.ToLower(text[tokenBegin:end])
					if !htmlSpace(at(end)) && at(end) != '>' {
						return "", nil, fmt.Errorf("Unexpected end of name token at byte offset %d", tokenBegin)
					}
				} else {
					end++
					var v strings.Builder
					for end < len(text) && text[end] != q {
						if text[end] == '&' {
							if r, n := decodeEntity(text[end:]); n > 0 {
								v.WriteRune(r)
								end += n
								continue
							}
						}
						v.WriteByte(text[end])
						end++
					}
					if end >= len(text) {
						return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
					}
					end++
					value = v.String()
				}
				switch {
				case tag == "a" && name == "href":
					arg = value
				case tag == "code" && name == "class" && strings.HasPrefix(value, "language-"):
					arg = strings.TrimPrefix(value, "language-")
				case tag == "span" && name == "class" && strings.HasPrefix(value, "tg-"):
					arg = value
				case tag == "tg-emoji" && name == "emoji-id":
					arg = value
				case tag == "blockquote" && name == "expandable":
					arg = "expandable"
				}
			}
			if tag == "span" && arg != "tg-spoiler" {
				return "", nil, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			stack = append(stack, open{tag: tag, arg: arg, off: pos})
			i = end + 1
			continue
		}
		if len(stack) == 0 {
			return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", begin)
		}
		end := i + 1
		for end < len(text) && text[end] != '>' {
			end++
		}
		if end >= len(text) {
			return "", nil, fmt.Errorf("Unclosed end tag at byte offset %d", begin)
		}
		name := strings.ToLower(strings.TrimRightFunc(text[i+1:end], func(r rune) bool { return r < 0x80 && htmlSpace(byte(r)) }))
		top := stack[len(stack)-1]
		if name != "" && name != top.tag {
			return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.tag, name)
		}
		stack = stack[:len(stack)-1]
		if pos > top.off {
			if top.tag == "code" && top.arg != "" && len(stack) > 0 && stack[len(stack)-1].tag == "pre" && stack[len(stack)-1].off == top.off {
				stack[len(stack)-1].arg = top.arg // <pre><code class="language-go"> is one pre entity
			} else if e, ok := htmlEntity(top.tag, top.arg, top.off, pos-top.off); ok {
				ents = append(ents, e)
			}
		}
		i = end + 1
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].tag)
	}
	sortEntities(ents)
	return out.String(), ents, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// htmlEntity is the entity a closed HTML tag makes.
func htmlEntity(tag, arg string, off, length int) (models.MessageEntity, bool) {
	e := models.MessageEntity{Offset: off, Length: length}
	switch tag {
	case "b", "strong":
		e.Type = models.MessageEntityTypeBold
	case "i", "em":
		e.Type = models.MessageEntityTypeItalic
	case "u", "ins":
		e.Type = models.MessageEntityTypeUnderline
	case "s", "strike", "del":
		e.Type = models.MessageEntityTypeStrikethrough
	case "span", "tg-spoiler":
		e.Type = models.MessageEntityTypeSpoiler
	case "code":
		e.Type = models.MessageEntityTypeCode
	case "pre":
		e.Type, e.Language = models.MessageEntityTypePre, arg
	case "blockquote":
		e.Type = models.MessageEntityTypeBlockquote
		if arg == "expandable" {
			e.Type = models.MessageEntityTypeExpandableBlockquote
		}
	case "a":
		if arg == "" {
			return e, false
		}
		e.Type, e.URL = models.MessageEntityTypeTextLink, arg
	case "tg-emoji":
		if arg == "" {
			return e, false
		}
		e.Type, e.CustomEmojiID = models.MessageEntityTypeCustomEmoji, arg
	default:
		return e, false
	}
	return e, true
}

// mdEntity is an entity being read by the Markdown parsers.
type mdEntity struct {
	kind    string // TDLib's name for it, which error messages use
	arg     string
	off     int // UTF-16 offset in the output
	byteOff int // in the input
	outPos  int // byte offset in the output
}

// parseMarkdownV2 is TDLib's parse_markdown_v2.
func parseMarkdownV2(text string) (string, []models.MessageEntity, error) {
	var (
		out   strings.Builder
		pos   int
		stack []mdEntity
		ents  []models.MessageEntity
	)
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	lineStart := true
	quote := -1 // UTF-16 offset where an open blockquote began
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' && at(i+1) > 0 && at(i+1) <= 126 {
			i++
			out.WriteByte(text[i])
			pos++
			lineStart = false
			continue
		}
		if c == '>' && lineStart && len(stack) == 0 {
			if quote < 0 {
				quote = pos
			}
			lineStart = false
			continue
		}
		if c == '\n' && quote >= 0 && at(i+1) != '>' {
			if pos > quote {
				ents = append(ents, models.MessageEntity{Type: models.MessageEntityTypeBlockquote, Offset: quote, Length: pos - quote})
			}
			quote = -1
		}
		reserved := "_*[]()~`>#+-=|{}.!"
		if len(stack) > 0 {
			switch stack[len(stack)-1].kind {
			case "Code", "Pre", "PreCode":
				reserved = "`"
			}
		}
		if !strings.ContainsRune(reserved, rune(c)) {
			r, n := utf8.DecodeRuneInString(text[i:])
			out.WriteString(text[i : i+n])
			pos += u16(r)
			i += n - 1
			lineStart = c == '\n'
			continue
		}
		lineStart = false
		ending := false
		if len(stack) > 0 {
			switch stack[len(stack)-1].kind {
			case "Bold":
				ending = c == '*'
			case "Italic":
				ending = c == '_' && at(i+1) != '_'
			case "Code":
				ending = c == '`'
			case "Pre", "PreCode":
				ending = c == '`' && at(i+1) == '`' && at(i+2) == '`'
			case "TextUrl", "CustomEmoji":
				ending = c == ']'
			case "Underline":
				ending = c == '_' && at(i+1) == '_'
			case "Strikethrough":
				ending = c == '~'
			case "Spoiler":
				ending = c == '|' && at(i+1) == '|'
			}
		}
		if !ending {
			e := mdEntity{off: pos, byteOff: i, outPos: out.Len()}
			switch c {
			case '_':
				e.kind = "Italic"
				if at(i+1) == '_' {
					e.kind = "Underline"
					i++
				}
			case '*':
				e.kind = "Bold"
			case '~':
				e.kind = "Strikethrough"
			case '|':
				if at(i+1) != '|' {
					return "", nil, reservedErr(c)
				}
				i++
				e.kind = "Spoiler"
			case '[':
				e.kind = "TextUrl"
			case '`':
				if at(i+1) == '`' && at(i+2) == '`' {
					i += 3
					e.kind = "Pre"
					end := i
					for !htmlSpace(at(end)) && at(end) != '`' {
						end++
					}
					if i != end && end < len(text) && text[end] != '`' {
						e.kind, e.arg = "PreCode", text[i:end]
						i = end
					}
					if at(i) == '\n' || at(i) == '\r' {
						if (at(i+1) == '\n' || at(i+1) == '\r') && at(i) != at(i+1) {
							i += 2
						} else {
							i++
						}
					}
					i--
				} else {
					e.kind = "Code"
				}
			case '!':
				if at(i+1) != '[' {
					return "", nil, reservedErr(c)
				}
				i++
				e.kind = "CustomEmoji"
			default:
				return "", nil, reservedErr(c)
			}
			stack = append(stack, e)
			continue
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		me := models.MessageEntity{Offset: top.off, Length: pos - top.off}
		switch top.kind {
		case "Bold":
			me.Type = models.MessageEntityTypeBold
		case "Italic":
			me.Type = models.MessageEntityTypeItalic
		case "Code":
			me.Type = models.MessageEntityTypeCode
		case "Strikethrough":
			me.Type = models.MessageEntityTypeStrikethrough
		case "Underline":
			me.Type = models.MessageEntityTypeUnderline
			i++
		case "Spoiler":
			me.Type = models.MessageEntityTypeSpoiler
			i++
		case "Pre", "PreCode":
			me.Type, me.Language = models.MessageEntityTypePre, top.arg
			i += 2
		case "TextUrl", "CustomEmoji":
			var url string
			if at(i+1) != '(' {
				url = out.String()[top.outPos:]
			} else {
				i += 2
				urlBegin := i
				var u strings.Builder
				for i < len(text) && text[i] != ')' {
					if text[i] == '\\' && at(i+1) > 0 && at(i+1) <= 126 {
						u.WriteByte(text[i+1])
						i += 2
						continue
					}
					u.WriteByte(text[i])
					i++
				}
				if at(i) != ')' {
					return "", nil, fmt.Errorf("Can't find end of a URL at byte offset %d", urlBegin)
				}
				url = u.String()
			}
			if top.kind == "CustomEmoji" {
				me.Type, me.CustomEmojiID = models.MessageEntityTypeCustomEmoji, strings.TrimPrefix(url, "tg://emoji?id=")
			} else {
				me.Type, me.URL = models.MessageEntityTypeTextLink, url
			}
		}
		if me.Length > 0 && (me.Type != models.MessageEntityTypeTextLink || me.URL != "") {
			ents = append(ents, me)
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return "", nil, fmt.Errorf("Can't find end of %s entity at byte offset %d", top.kind, top.byteOff)
	}
	if quote >= 0 && pos > quote {
		ents = append(ents, models.MessageEntity{Type: models.MessageEntityTypeBlockquote, Offset: quote, Length: pos - quote})
	}
	sortEntities(ents)
	return out.String(), ents, nil
}

func reservedErr(c byte) error {
	return fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
}

// parseMarkdown is TDLib's parse_markdown (the legacy "Markdown" mode).
func parseMarkdown(text string) (string, []models.MessageEntity, error) {
	var (
		out  strings.Builder
		pos  int
		ents []models.MessageEntity
	)
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' && (at(i+1) == '_' || at(i+1) == '*' || at(i+1) == '`' || at(i+1) == '[') {
			i++
			out.WriteByte(text[i])
			pos++
			continue
		}
		if c != '_' && c != '*' && c != '`' && c != '[' {
			r, n := utf8.DecodeRuneInString(text[i:])
			out.WriteString(text[i : i+n])
			pos += u16(r)
			i += n - 1
			continue
		}
		begin := i
		endChar := c
		if c == '[' {
			endChar = ']'
		}
		i++
		pre, lang := false, ""
		if c == '`' && at(i) == '`' && at(i+1) == '`' {
			i += 2
			pre = true
			end := i
			for !htmlSpace(at(end)) && at(end) != '`' {
				end++
			}
			if i != end && end < len(text) && text[end] != '`' {
				lang = text[i:end]
				i = end
			}
			if at(i) == '\n' || at(i) == '\r' {
				if (at(i+1) == '\n' || at(i+1) == '\r') && at(i) != at(i+1) {
					i += 2
				} else {
					i++
				}
			}
		}
		off := pos
		start := out.Len()
		for i < len(text) && (text[i] != endChar || (pre && !(at(i+1) == '`' && at(i+2) == '`'))) {
			r, n := utf8.DecodeRuneInString(text[i:])
			out.WriteString(text[i : i+n])
			pos += u16(r)
			i += n
		}
		if i >= len(text) {
			return "", nil, fmt.Errorf("Can't find end of the entity starting at byte offset %d", begin)
		}
		if pos > off {
			e := models.MessageEntity{Offset: off, Length: pos - off}
			switch c {
			case '_':
				e.Type = models.MessageEntityTypeItalic
			case '*':
				e.Type = models.MessageEntityTypeBold
			case '[':
				url := out.String()[start:]
				if at(i+1) == '(' {
					i += 2
					var u strings.Builder
					for i < len(text) && text[i] != ')' {
						u.WriteByte(text[i])
						i++
					}
					url = u.String()
				}
				e.Type, e.URL = models.MessageEntityTypeTextLink, url
			case '`':
				e.Type = models.MessageEntityTypeCode
				if pre {
					e.Type, e.Language = models.MessageEntityTypePre, lang
				}
			}
			ents = append(ents, e)
		}
		if pre {
			i += 2
		}
	}
	sortEntities(ents)
	return out.String(), ents, nil
}
