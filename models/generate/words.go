package generate

// The raw material of the generated paper. Word lists are ordered roughly from common to
// rare, and drawn with a Zipf law, so a search for "council" finds a large share of the
// archive and a search for "quayside" a handful: both kinds of query a reader makes.

var sections = []struct{ name, desc string }{
	{"World", "News from every continent."},
	{"Politics", "Parliament, parties and the people they answer to."},
	{"Business", "Companies, markets and the economy."},
	{"Science", "Research, discovery and the people behind it."},
	{"Sport", "Results, interviews and analysis."},
	{"Culture", "Books, film, music and the arts."},
	{"Opinion", "Columns and letters."},
	{"Local", "The city and the towns around it."},
	{"Health", "Medicine, care and public health."},
	{"Climate", "Weather, energy and the environment."},
}

// sectionWeights skew stories towards the busy desks (same order as sections).
var sectionWeights = []int{22, 18, 14, 6, 16, 7, 5, 7, 3, 2}

var nouns = []string{
	"council", "government", "minister", "city", "report", "plan", "year", "market", "vote", "court",
	"election", "budget", "school", "hospital", "police", "company", "bank", "team", "season", "match",
	"river", "harbour", "bridge", "railway", "airport", "road", "energy", "water", "storm", "flood",
	"museum", "theatre", "festival", "novel", "album", "film", "orchestra", "gallery", "library", "park",
	"study", "vaccine", "clinic", "patient", "research", "telescope", "satellite", "glacier", "forest", "coast",
	"union", "strike", "factory", "harvest", "farm", "port", "ferry", "tunnel", "reservoir", "turbine",
	"mayor", "senate", "treaty", "border", "summit", "ceasefire", "embassy", "tariff", "pension", "wage",
	"striker", "goalkeeper", "coach", "stadium", "final", "league", "record", "medal", "marathon", "regatta",
	"archive", "manuscript", "sculpture", "choir", "opera", "ballet", "poet", "composer", "quayside", "lighthouse",
	"observatory", "orchard", "vineyard", "estuary", "moorland", "aqueduct", "tramline", "lido", "allotment", "cathedral",
}

var verbs = []string{
	"approves", "rejects", "delays", "opens", "closes", "backs", "questions", "wins", "loses", "plans",
	"unveils", "defends", "cuts", "raises", "warns", "promises", "reviews", "restores", "expands", "abandons",
}

var adjectives = []string{
	"new", "local", "national", "public", "final", "long", "early", "late", "major", "small",
	"historic", "disputed", "surprise", "record", "quiet", "bold", "costly", "modest", "rare", "overdue",
}

var fillers = []string{
	"the", "a", "of", "and", "to", "in", "on", "for", "with", "after", "before", "over", "under", "by", "from",
	"said", "says", "would", "could", "will", "has", "had", "was", "were", "is", "are", "its", "their", "this", "that",
	"officials", "residents", "people", "members", "critics", "supporters", "experts", "workers", "families", "visitors",
	"on Tuesday", "last week", "this month", "next year", "in the spring", "since 2019", "for the first time",
}

var places = []string{"LONDON", "PARIS", "BERLIN", "LAGOS", "NAIROBI", "TOKYO", "MUMBAI", "LIMA", "OSLO", "CAIRO",
	"SYDNEY", "TORONTO", "MADRID", "WARSAW", "DHAKA", "ACCRA", "QUITO", "HANOI", "RIGA", "PORTO"}

var wires = []string{"", "", "", "", "Reuters", "AP", "AFP"}

var tagWords = []string{
	"elections", "transport", "housing", "schools", "football", "cricket", "tennis", "climate", "energy", "health",
	"courts", "policing", "budget", "trade", "technology", "space", "music", "books", "film", "theatre",
	"farming", "fishing", "rail", "aviation", "weather", "floods", "wildlife", "museums", "universities", "jobs",
	"pensions", "taxes", "tourism", "shipping", "mining", "banking", "startups", "art", "dance", "history",
}

var firstNames = []string{"Ada", "Tomasz", "Priya", "Kofi", "Elena", "Jonas", "Mei", "Rafael", "Aisha", "Lars",
	"Noor", "Diego", "Ingrid", "Samuel", "Yuki", "Fatima", "Oskar", "Lucia", "Emeka", "Hanna",
	"Marek", "Sofia", "Tariq", "Greta", "Ravi", "Chloe", "Pavel", "Amara", "Felix", "Leila"}

var lastNames = []string{"Lindqvist", "Wren", "Natarajan", "Mensah", "Marsh", "Okafor", "Chen", "Silva", "Novak",
	"Haddad", "Berg", "Moreau", "Kowalski", "Tanaka", "Osei", "Fischer", "Rossi", "Dubois", "Singh", "Olsen",
	"Costa", "Jensen", "Ibrahim", "Walsh", "Petrov", "Nakamura", "Adeyemi", "Larsen", "Quinn", "Varga"}

var commentOpeners = []string{
	"I think", "Surely", "As someone who lives nearby,", "Honestly,", "Good reporting.", "I disagree:",
	"Thanks for this.", "Interesting that", "Not convinced.", "Spot on.", "Has anyone asked why", "In my experience,",
}

var syllables = []string{"vel", "mar", "osk", "tan", "bri", "quo", "zel", "dun", "fai", "lor",
	"kes", "ump", "rav", "ith", "gol", "nep", "syl", "wex", "har", "cyn"}
