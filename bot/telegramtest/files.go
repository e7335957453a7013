package telegramtest

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // photos' sizes
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// file is a file Telegram keeps: something a user sent or the bot uploaded.
type file struct {
	id, unique string
	kind       string
	name, mime string
	size       int
	data       []byte // nil for files users sent: their bytes are made up on download
	width      int
	height     int
	path       string
	photo      []*file // a photo's sizes, smallest first, shared by all of them
}

// newFileLocked registers a file of kind. File ids look like Telegram's:
// long, opaque, and not to be taken apart.
func (s *Server) newFileLocked(kind, name string, data []byte, size int) *file {
	s.nextFile++
	n := s.nextFile
	f := &file{
		id:     fmt.Sprintf("AgACAgIAAxkBAAI%06d%s-%s", n, strings.ToUpper(kind[:2]), strconv.FormatInt(s.botID, 36)),
		unique: fmt.Sprintf("AQAD%06d%s", n, kind[:1]),
		kind:   kind, name: name, data: data, size: size,
	}
	if data != nil {
		f.size = len(data)
	}
	ext := path.Ext(name)
	f.mime = mime.TypeByExtension(ext)
	if f.mime == "" {
		f.mime = "application/octet-stream"
	}
	switch kind {
	case "photo":
		ext = ".jpg"
	case "voice":
		ext, f.mime = ".oga", "audio/ogg"
	case "video", "animation":
		ext, f.mime = ".mp4", "video/mp4"
	case "sticker":
		ext, f.mime = ".webp", "image/webp"
	case "audio":
		if !strings.HasPrefix(f.mime, "audio/") {
			ext, f.mime = ".mp3", "audio/mpeg"
		}
	}
	f.path = fmt.Sprintf("%ss/file_%d%s", kind, n, ext)
	s.files[f.id] = f
	return f
}

// newPhotoLocked registers a photo in the sizes Telegram makes of it.
func (s *Server) newPhotoLocked(data []byte, width, height int) *file {
	var set []*file
	for _, side := range []int{90, 320, 800, 1280} {
		w, h := width, height
		if longest := max(w, h); longest > side {
			w, h = w*side/longest, h*side/longest
		}
		f := s.newFileLocked("photo", "", nil, w*h/8+1024)
		f.width, f.height = w, h
		set = append(set, f)
		if max(width, height) <= side {
			break
		}
	}
	largest := set[len(set)-1]
	if data != nil {
		largest.data, largest.size = data, len(data)
	}
	for _, f := range set {
		f.photo = set
	}
	return largest
}

// userMedia is a media message from a user, with fresh files.
func (s *Server) userMedia(kind, name, caption string) *stored {
	var f *file
	switch kind {
	case "photo":
		f = s.newPhotoLocked(nil, 1280, 960)
	case "document":
		f = s.newFileLocked(kind, name, nil, 48_213)
	default:
		f = s.newFileLocked(kind, "", nil, 23_456)
	}
	st := &stored{kind: kind}
	s.attach(st, f)
	st.w.Caption = caption
	return st
}

// attach puts file f into message st as its media.
func (s *Server) attach(st *stored, f *file) {
	st.kind, st.fileID, st.fileName = f.kind, f.id, f.name
	switch f.kind {
	case "photo":
		st.w.Photo = nil
		for _, p := range f.photo {
			st.w.Photo = append(st.w.Photo, models.PhotoSize{FileID: p.id, FileUniqueID: p.unique, Width: p.width, Height: p.height, FileSize: p.size})
		}
		st.fileID = f.photo[len(f.photo)-1].id
	case "document":
		st.w.Document = &models.Document{FileID: f.id, FileUniqueID: f.unique, FileName: f.name, MimeType: f.mime, FileSize: int64(f.size)}
	case "voice":
		st.w.Voice = &models.Voice{FileID: f.id, FileUniqueID: f.unique, Duration: 3, MimeType: f.mime, FileSize: int64(f.size)}
	case "video":
		st.w.Video = &models.Video{FileID: f.id, FileUniqueID: f.unique, Width: 640, Height: 360, Duration: 5, FileName: f.name, MimeType: f.mime, FileSize: int64(f.size)}
	case "audio":
		st.w.Audio = &models.Audio{FileID: f.id, FileUniqueID: f.unique, Duration: 30, FileName: f.name, MimeType: f.mime, FileSize: int64(f.size)}
	case "animation":
		st.w.Animation = &models.Animation{FileID: f.id, FileUniqueID: f.unique, Width: 320, Height: 240, Duration: 2, FileName: f.name, MimeType: f.mime, FileSize: int64(f.size)}
	case "sticker":
		st.w.Sticker = &wireSticker{FileID: f.id, FileUniqueID: f.unique, Type: "regular", Width: 512, Height: 512, Emoji: "👍", SetName: "HotlineTestStickers", FileSize: f.size}
	}
}

// inputFileLocked reads the file a send method was given in field: an
// upload, "attach://name", a file_id, or an HTTP URL (taken as is: there is
// no Internet to fetch it from).
func (s *Server) inputFileLocked(p params, field string) (*file, *apiError) {
	up, ok := p.files[field]
	v := strings.TrimSpace(p.str(field))
	if !ok && strings.HasPrefix(v, "attach://") {
		up, ok = p.files[strings.TrimPrefix(v, "attach://")]
		if !ok {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
	}
	switch {
	case ok:
		if field == "photo" {
			w, h := 1280, 960
			if cfg, _, err := image.DecodeConfig(bytes.NewReader(up.data)); err == nil {
				w, h = cfg.Width, cfg.Height
			}
			return s.newPhotoLocked(up.data, w, h), nil
		}
		return s.newFileLocked(field, up.name, up.data, 0), nil
	case v == "":
		return nil, badRequest("there is no %s in the request", field)
	case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
		if field == "photo" {
			return s.newPhotoLocked(nil, 1280, 960), nil
		}
		return s.newFileLocked(field, path.Base(v), nil, 65_536), nil
	}
	f := s.files[v]
	if f == nil {
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	}
	if f.kind != field {
		return nil, badRequest("type of file mismatch")
	}
	return f, nil
}

// getFile is https://core.telegram.org/bots/api#getfile.
func (s *Server) getFile(c *call) (any, *apiError) {
	f := s.files[c.p.str("file_id")]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	if f.size > 20<<20 {
		return nil, badRequest("file is too big")
	}
	return models.File{FileID: f.id, FileUniqueID: f.unique, FileSize: int64(f.size), FilePath: f.path}, nil
}

// serveFile serves /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/file/bot")
	token, p, _ := strings.Cut(rest, "/")
	if token != s.token {
		writeError(w, errNotFound)
		return
	}
	s.mu.Lock()
	var found *file
	for _, f := range s.files {
		if f.path == p {
			found = f
			break
		}
	}
	s.mu.Unlock()
	if found == nil {
		writeError(w, errNotFound)
		return
	}
	data := found.data
	if data == nil {
		data = bytes.Repeat([]byte{0}, found.size)
	}
	w.Header().Set("Content-Type", found.mime)
	_, _ = w.Write(data)
}
