package bot

import (
	"slices"
	"testing"

	"github.com/go-telegram/bot/models"
)

// TestForumCheck: what getChat and getChatMember say the bot lacks in the
// forum group.
func TestForumCheck(t *testing.T) {
	forum := &models.ChatFullInfo{Type: models.ChatTypeSupergroup, IsForum: true}
	admin := func(a models.ChatMemberAdministrator) *models.ChatMember {
		return &models.ChatMember{Type: models.ChatMemberTypeAdministrator, Administrator: &a}
	}
	all := models.ChatMemberAdministrator{CanManageTopics: true, CanPinMessages: true, CanRestrictMembers: true, CanInviteUsers: true}
	member := &models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{}}
	for _, tc := range []struct {
		name string
		chat *models.ChatFullInfo
		me   *models.ChatMember
		want []string
	}{
		{"all set", forum, admin(all), nil},
		{"no group", nil, nil, []string{"forum.setup.not_found"}},
		{"plain group, bot a member", &models.ChatFullInfo{Type: models.ChatTypeGroup}, member, []string{"forum.setup.not_forum", "forum.setup.not_admin"}},
		{"topics off", &models.ChatFullInfo{Type: models.ChatTypeSupergroup}, admin(all), []string{"forum.setup.not_forum"}},
		{"no topic or pin rights", forum, admin(models.ChatMemberAdministrator{CanRestrictMembers: true, CanInviteUsers: true}),
			[]string{"forum.setup.no_topics", "forum.setup.no_pin"}},
	} {
		if got := ForumCheck(tc.chat, tc.me); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
