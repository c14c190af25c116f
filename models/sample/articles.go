package sample

import (
	"time"

	"broadsheet/models"
)

// The sample paper. Every word here is our own invention: the towns, people and
// companies that are not capitals are made up, and no story retells a real one.
// It is written to exercise the site: every section has stories, tags recur so
// tag pages and related stories fill up, and a few stories carry the unusual
// states (scheduled, draft, corrected, comments closed) a newcomer should see.

const sampleDay = 24 * time.Hour

type sampleSection struct{ Name, Description string }

// sampleSections are created in this order, which is the order of the navigation.
var sampleSections = []sampleSection{
	{"World", "Reporting from our correspondents and the wires on the places the headlines pass by."},
	{"Politics", "Parliaments, town halls and the people trying to win them."},
	{"Business", "Companies, markets, work and the price of things."},
	{"Science", "Research, space, health and the natural world, explained."},
	{"Culture", "Music, books, film and the arts, from the village hall to the festival stage."},
	{"Sport", "Results, upsets and the stories behind the scores."},
}

type sampleStaffer struct{ Name, Role, Bio string }

// sampleStaff are the bylines. They get random passwords nobody knows: the
// accounts exist so author pages have someone behind them, not to log in with.
var sampleStaff = []sampleStaffer{
	{"Marta Lindqvist", models.RoleEditor, "Marta Lindqvist is the foreign editor. She reported from Lisbon and Nairobi for a decade and still keeps a bag packed."},
	{"Daniel Osei", models.RoleAuthor, "Daniel Osei covers politics and the machinery of government, from cabinet leaks to parish councils."},
	{"Priya Raman", models.RoleAuthor, "Priya Raman is the science correspondent. She trained as a marine biologist and writes about climate, space and medicine."},
	{"Tomás Ferreira", models.RoleAuthor, "Tomás Ferreira writes about business and work, with a soft spot for shipyards and small family firms."},
	{"Helen Achterberg", models.RoleAuthor, "Helen Achterberg covers culture and sport, and has never yet left a concert before the encore."},
}

// sampleArticle is one story of the sample paper with its picture.
type sampleArticle struct {
	Section        string
	Title, Dek     string
	Dateline, Wire string
	Authors        []string // names from sampleStaff
	Tags           []string
	Age            time.Duration // published this long before the seed; negative = scheduled for later
	Status         string        // empty means published
	Updated        time.Duration // if set, updated this long after publication, with Correction
	Correction     string
	CommentsClosed bool
	Art            artwork
	Alt, Caption   string
	Body           string // Markdown
}

// sampleCredit is the credit of every painted picture.
const sampleCredit = "Illustration: Broadsheet Graphics"

var sampleArticles = []sampleArticle{
	{
		Section: "World", Dateline: "Lisbon", Wire: "Broadsheet", Age: 2 * time.Hour,
		Title:   "Harbour city opens its new sea wall after three years of building",
		Dek:     "Engineers say the barrier along the Tagus estuary will hold back a once-a-century storm surge.",
		Authors: []string{"Marta Lindqvist"}, Tags: []string{"Climate", "Transport"},
		Art: artwork{sceneCoast, dawn, 11},
		Alt: "A calm estuary at dawn, a low headland across the water and sunlight glinting on the ripples.", Caption: "The estuary at first light, the morning the new wall was opened.",
		Body: `The last section of the sea wall was lowered into place on Monday morning, three years after the first pile was driven into the mud of the estuary, and the harbour authority declared the barrier open with a short ceremony on the quay.

The wall runs for just under four kilometres and can be raised by a metre and a half in an emergency. Its designers say that is enough to hold back a storm surge of the size the city's engineers expect to see once a century, and perhaps twice a century by the 2080s.

"We built it for the water we will have, not the water we had," said Rui Valadares, the authority's chief engineer, who has worked on the project since the first feasibility study. "The old quays were built for sailing ships. This is built for the next hundred winters."

Residents of the low-lying streets behind the waterfront, where the cellars of some houses flooded four times in the last ten years, gathered on the promenade to watch. Several brought folding chairs. One, a retired ferry pilot named Albertina Sousa, said she would believe it when the first big storm came and went.

The project cost more than planned, partly because the builders found the remains of an old timber jetty where one of the foundations was meant to go. Archaeologists spent four months recording it before work could continue; the best-preserved timbers will go on display in the maritime museum next spring.

The ferry company that crosses the estuary said its timetable would return to normal from Tuesday, after months of diversions around the works.`,
	},
	{
		Section: "World", Dateline: "Nairobi", Wire: "AP", Age: 9 * time.Hour,
		Title:   "Solar kiosks keep market towns trading after dark",
		Dek:     "A co-operative of stallholders has put up forty charging kiosks, and the evening market is now the busiest hour of the day.",
		Authors: []string{"Marta Lindqvist"}, Tags: []string{"Energy", "Climate", "Community"},
		Art: artwork{sceneHills, dusk, 23},
		Alt: "Rolling hills under an orange evening sky, with dark trees along the nearest ridges.", Caption: "Evening over the hills above Kerenga, where the market now stays open after sunset.",
		Body: `In the market town of Kerenga, two hours' drive from the capital, the busiest time of day used to be mid-morning. Now it is seven in the evening, when the light goes and forty solar kiosks along the main road switch on their lamps.

The kiosks were built by a co-operative of 300 stallholders who pooled their savings and borrowed the rest from a regional development fund. Each has a panel on the roof, a bank of batteries and a row of sockets where traders and customers can charge phones and lamps for a small fee.

"Before, we packed up at six because nobody could see the tomatoes," said Grace Wanjiru Muthoni, who sells vegetables and chairs the co-operative. "Now people come after work. My takings in the evening are bigger than in the morning."

The co-operative says the kiosks paid back a third of their cost in the first year, mostly from charging fees. It plans another sixty in two neighbouring towns, and has been visited by officials from three other counties who want to copy the model.

Not everyone is convinced. A local electricity contractor, who asked not to be named, said the batteries would need replacing within five years and questioned whether the fees would cover it. The co-operative's treasurer said the replacement fund was already "a third of the way there".`,
	},
	{
		Section: "World", Dateline: "Hanoi", Wire: "Reuters", Age: 4*sampleDay + 6*time.Hour,
		Title:   "Delta farmers try floating gardens as the flood season grows longer",
		Dek:     "Rafts of bamboo and water hyacinth let families keep growing greens while their fields are under water.",
		Authors: []string{"Marta Lindqvist", "Priya Raman"}, Tags: []string{"Climate", "Farming", "Community"},
		Art: artwork{sceneFields, mist, 37},
		Alt: "Misty striped farmland below soft grey hills with a pale sun.", Caption: "Fields in the delta between floods; the rafts are launched when the water rises.",
		Body: `When the river rises each autumn, the rice fields around the village of Phu Lam disappear under a metre of brown water for weeks at a time. This year, for the first time, some of the families who farm them are still harvesting.

They are growing herbs, morning glory and chillies on rafts made from bamboo poles and dried water hyacinth, a weed that chokes the canals for most of the year. The rafts float up with the water and are anchored to posts so they do not drift away.

The idea was brought to the village by an agricultural college, which lent materials to twenty households last year. This season more than a hundred have built their own. A raft the size of a small room can feed a family and leave some to sell, said Nguyen Thi Hoa, who has three.

Researchers at the college say the flood season in the area has lengthened by roughly two weeks over the past two decades, which leaves less time between floods to plant and harvest rice. The rafts are not a replacement for the main crop, they stress, but they fill the gap.

The hyacinth rafts rot after two seasons and are then dug into the fields as compost, which the farmers say has become an unexpected second benefit.`,
	},
	{
		Section: "Politics", Dateline: "Brussels", Wire: "Reuters", Age: 1*sampleDay + 3*time.Hour,
		Title:   "Ministers agree the outline of a cross-border rail pass",
		Dek:     "A single monthly ticket for regional trains across six borders could be on sale within two years, if parliaments agree on who pays.",
		Authors: []string{"Daniel Osei"}, Tags: []string{"Transport", "Elections"},
		Art: artwork{sceneCity, dawn, 41},
		Alt: "A city skyline at dawn, many windows already lit, under a pink and blue sky.", Caption: "Early light over the city as ministers arrived for the second day of talks.",
		Body: `Transport ministers from six neighbouring countries agreed on Thursday to work towards a single monthly pass for regional trains that cross their borders, after talks that ran late into the night.

The outline agreement, which is not yet binding, would let commuters who live on one side of a border and work on the other buy one ticket instead of two or three. Officials said around 400,000 people make such journeys every working day.

The hardest question, how the ticket money is shared between rail operators, was left to a working group that must report by the spring. Two of the six governments face elections before then, and their ministers were careful not to promise anything that would need a vote in parliament.

"The principle is agreed. The arithmetic is not," said one official who took part in the talks. A draft seen by reporters suggests the pass would cost about the same as an ordinary monthly ticket in the most expensive of the six countries.

Passenger groups welcomed the agreement but said they had heard similar promises before. A campaign group for border commuters said it would hold ministers to the two-year timetable.`,
	},
	{
		Section: "Politics", Dateline: "Port Ellery", Wire: "Broadsheet", Age: 3*sampleDay + 2*time.Hour,
		Title:   "Port Ellery keeps its mayor by eleven votes after a recount",
		Dek:     "Independent Ruth Calloway survives a challenge over the harbour car park and the closure of the night bus.",
		Authors: []string{"Daniel Osei"}, Tags: []string{"Elections", "Transport"}, CommentsClosed: true,
		Art: artwork{sceneCoast, dusk, 53},
		Alt: "A dark headland against a purple and orange sunset over a calm sea.", Caption: "The harbour at Port Ellery, where the car park became the campaign's main issue.",
		Body: `Ruth Calloway will remain mayor of Port Ellery after a recount on Sunday confirmed that she had beaten her challenger by eleven votes out of just over nine thousand cast.

The independent, who has led the town council for six years, had been expected to win comfortably until a row over plans to turn the harbour car park into a public square split the town. Her challenger, the local businessman Owen Pryce, campaigned to keep the car park and to bring back the night bus to the neighbouring villages.

The first count on Friday gave Ms Calloway a lead of fourteen. Mr Pryce asked for a recount, which took most of Saturday and Sunday morning in the sports hall, with both candidates and their agents watching every pile.

"Eleven is a majority. It is also a message," Ms Calloway said after the result was announced. She said the harbour plans would go ahead but promised a consultation on parking for the fishing fleet and on the night bus.

Mr Pryce said he accepted the result and would sit on the council as leader of the opposition group. Turnout was 61 per cent, the highest in the town for twenty years.`,
	},
	{
		Section: "Politics", Dateline: "Wellington", Wire: "Broadsheet", Age: -2 * time.Hour, Status: models.StatusScheduled,
		Title:   "Finance minister publishes the draft budget: what is in it",
		Dek:     "Higher spending on flood defences and school buildings, paid for by a new levy on short-term holiday lets.",
		Authors: []string{"Daniel Osei", "Tomás Ferreira"}, Tags: []string{"Elections", "Climate"},
		Art: artwork{sceneCity, noon, 67},
		Alt: "A skyline of slate-blue office blocks under a clear midday sky.", Caption: "Government buildings in the capital on the morning the budget was published.",
		Body: `The finance minister, Odile Marchetti, published her draft budget at noon, setting out the government's plans for the year before next autumn's election.

The biggest single increase is for flood defences, which receive an extra 900 million over four years, much of it for river towns that flooded twice in the past three winters. School buildings get 600 million for repairs, after an inspection found a quarter of classrooms needed new roofs or windows.

To help pay for it, the government will introduce a levy on short-term holiday lets, charged per night and collected by the booking platforms. Ms Marchetti said it would raise about 200 million a year and "ask visitors to contribute to the towns they enjoy".

Income tax thresholds are frozen for a second year, which means more people will pay the higher rate as wages rise. The opposition said the freeze was "a tax rise in all but name".

Parliament will debate the draft over the next three weeks. The government needs the support of at least one smaller party to pass it, and the Greens said they would decide after studying the flood spending in detail.`,
	},
	{
		Section: "Business", Dateline: "Oslo", Wire: "Reuters", Age: 2*sampleDay + 5*time.Hour, Updated: 3 * time.Hour,
		Correction: "An earlier version of this story gave the value of the order as 140 million euros. It is 114 million euros.",
		Title:      "Norrland Marine wins order for twelve electric ferries",
		Dek:        "The shipbuilder will hire four hundred workers at its northern yard, its biggest expansion in thirty years.",
		Authors:    []string{"Tomás Ferreira"}, Tags: []string{"Energy", "Transport", "Trade"},
		Art: artwork{sceneCoast, winter, 71},
		Alt: "A pale winter sea under a bright white sun, with a grey headland reaching into it.", Caption: "The fjord outside Norrland Marine's yard, where the first ferry will be tested.",
		Body: `Norrland Marine, a family-owned shipbuilder, has won an order worth 114 million euros for twelve battery-powered ferries, the largest contract in its ninety-year history.

The ferries will carry cars and passengers on short crossings along the coast and will charge their batteries at each quay in the ten minutes it takes to load. The first is due to be delivered in two years' time, and the last within five.

The company said it would hire around four hundred people at its yard in the north, where the workforce has shrunk by half since the 1990s. Chief executive Sigrid Aalvik said the firm had been "waiting twenty years for the day when the quiet ship was also the cheaper ship".

Analysts said the order showed that smaller yards could compete for electric vessels, where the batteries matter more than the size of the dock. Norrland Marine's bid was not the cheapest, according to people familiar with the tender, but it promised the fastest delivery.

The yard will need a new covered hall to build the hulls in winter. Construction of the hall starts next month.`,
	},
	{
		Section: "Business", Dateline: "Bogotá", Wire: "AP", Age: 5*sampleDay + 8*time.Hour,
		Title:   "Small roasters feel the squeeze as coffee bean prices climb",
		Dek:     "Growers welcome the best prices in years, but the cafés that buy from them are raising the price of a cup.",
		Authors: []string{"Tomás Ferreira"}, Tags: []string{"Trade", "Farming"},
		Art: artwork{sceneMountains, summer, 83},
		Alt: "Green mountain ridges fading into haze under a deep blue sky and a bright sun.", Caption: "Coffee country: the slopes where the beans are grown lie above 1,500 metres.",
		Body: `For the growers on the green slopes above the town of San Aurelio, this has been a good year. The price paid for their beans has risen by more than a third since the spring, after poor harvests elsewhere pushed up prices around the world.

For the small roasters who buy from them, it has been a harder one. "We buy once a year, and this year we paid forty per cent more for the same sacks," said Camila Restrepo, who runs a roastery and two cafés in the capital.

Ms Restrepo has raised the price of a cup twice since the summer. She said customers had mostly accepted it, but sales of bags of beans for home brewing had fallen.

The growers' association said the higher prices would let farmers invest in new plants, many of which are reaching the end of their productive lives. Its president, Hernando Ruiz, urged roasters to sign longer contracts so that both sides could plan.

Traders expect prices to ease next year if the main harvests recover, but say they are unlikely to return to where they were.`,
	},
	{
		Section: "Business", Dateline: "Frankfurt", Wire: "Broadsheet", Age: 0, Status: models.StatusDraft,
		Title:   "Small lenders brace for a slower winter",
		Dek:     "Regional savings banks report fewer mortgage applications and set more money aside for bad loans.",
		Authors: []string{"Tomás Ferreira"}, Tags: []string{"Trade", "Housing"},
		Art: artwork{sceneCity, mist, 97},
		Alt: "A grey, misty skyline of office towers with some windows lit.", Caption: "The financial district on an overcast morning.",
		Body: `Regional savings banks expect a quieter winter after mortgage applications fell for a third month in a row, according to figures collected by their trade association.

Applications in the three months to October were 12 per cent lower than a year earlier. Several banks said they had increased the money set aside to cover loans that may not be repaid, though arrears remain low.

"People are waiting to see where rates go," said the association's chief economist, Lukas Brenner. "Nobody wants to be the one who bought at the top."

The figures will be discussed at the association's annual meeting next week.`,
	},
	{
		Section: "Science", Dateline: "Santiago", Wire: "AP", Age: 6 * time.Hour,
		Title:   "Amateur astronomers are first to spot a returning comet",
		Dek:     "A club with a second-hand telescope on a hilltop beat the professional surveys by two nights.",
		Authors: []string{"Priya Raman"}, Tags: []string{"Space", "Research", "Community"},
		Art: artwork{sceneMountains, night, 101},
		Alt: "Dark mountain ridges under a starry night sky lit by a small bright moon.", Caption: "The sky above the club's hilltop observatory, one of the darkest in the region.",
		Body: `A club of amateur astronomers who meet on a hilltop outside the city have become the first to photograph a comet on its way back towards the Sun, two nights before it was picked up by the large professional surveys.

The comet last passed through the inner solar system seventy-one years ago. Its return was predicted, but its exact position was uncertain because of the pull of Jupiter on its long journey.

The club's members, who include a retired schoolteacher, a taxi driver and two university students, took turns at a second-hand telescope they bought from an observatory that was replacing its equipment. They spotted a faint smudge that moved slightly between two sets of images taken an hour apart.

"At first we thought it was a smear on the lens," said Valentina Ortúzar, the student who processed the images. "Then it moved, and the lens did not."

Their report was confirmed by the international body that keeps track of comets and asteroids. The comet should be visible with binoculars in about four months, and perhaps with the naked eye from dark places.

The club plans a public viewing night when it does.`,
	},
	{
		Section: "Science", Dateline: "Reykjavik", Wire: "Reuters", Age: 1*sampleDay + 14*time.Hour,
		Title:   "Glacier monitors record the slowest summer melt in a decade",
		Dek:     "A cool, cloudy summer gave the ice a rare good year, but scientists warn against reading too much into one season.",
		Authors: []string{"Priya Raman"}, Tags: []string{"Climate", "Research"},
		Art: artwork{sceneMountains, winter, 113},
		Alt: "Pale blue-grey mountain ranges under a cold white winter sky.", Caption: "Ranges above the monitored glacier; stakes drilled into the ice measure how much melts each year.",
		Body: `The glaciers monitored by a team of researchers in the island's highlands lost less ice this summer than in any year for a decade, after an unusually cool and cloudy season.

The team measures the melt with a network of stakes drilled into the ice each spring. This year the surface fell by an average of 1.1 metres, against 2.4 metres in an average year since 2000.

"It was a good year for the ice, and there have not been many," said the team's leader, Dr Katrín Sveinsdóttir. "But one cool summer does not change the direction. The glaciers are still much smaller than they were when we started."

Cloud cover reflected more sunlight than usual, and late snowfalls in June protected the ice for several weeks. Several other monitoring teams in the north Atlantic reported a similar pattern.

The team will publish its full figures in the spring. Its measurements go back forty years and are used by researchers worldwide to check climate models.`,
	},
	{
		Section: "Science", Dateline: "Copenhagen", Wire: "Broadsheet", Age: 6*sampleDay + 4*time.Hour, CommentsClosed: true,
		Title:   "Shorter antibiotic course works as well for children's chest infections, trial finds",
		Dek:     "Five days of treatment did as well as ten in a study of 2,400 children, which could slow the spread of resistant bacteria.",
		Authors: []string{"Priya Raman"}, Tags: []string{"Health", "Research"},
		Art: artwork{sceneHills, mist, 127},
		Alt: "Soft grey-green hills fading into mist under a pale sun.", Caption: "Researchers recruited children through family doctors in towns and villages across the country.",
		Body: `A five-day course of antibiotics worked as well as the usual ten days for children with chest infections, according to a large trial run through family doctors' surgeries.

The study followed 2,400 children aged between one and eleven. Half were given the full course and half a course of five days followed by a dummy medicine, so neither the families nor the doctors knew which they had received. The children recovered at the same rate in both groups.

The researchers say shorter courses could reduce the side effects children suffer, such as stomach upsets, and slow the spread of bacteria that no longer respond to the drugs.

"Every extra day of antibiotics is a day on which resistant bacteria have an advantage," said Dr Mikkel Thorsen, who led the trial. "If five days is enough, we should not be giving ten."

The health agency that sets prescribing guidance said it would review the findings. Parents should not stop a course early without talking to their doctor, it said.`,
	},
	{
		Section: "Culture", Dateline: "Ballyfenn", Wire: "Broadsheet", Age: 1*sampleDay + 20*time.Hour,
		Title:   "Village brass band turns 150 with a concert in the hayfield",
		Dek:     "Four generations of one family played together, and the youngest cornet player is nine.",
		Authors: []string{"Helen Achterberg"}, Tags: []string{"Arts", "Community"},
		Art: artwork{sceneFields, summer, 131},
		Alt: "Green and golden striped fields under a blue summer sky, with a line of trees on the far hill.", Caption: "The hayfield where the anniversary concert was held, on a farm that has lent it to the band since 1952.",
		Body: `The Ballyfenn Silver Band celebrated its 150th year on Saturday with an open-air concert in a hayfield, in front of an audience several times larger than the village.

The band was founded by workers at a long-closed flax mill, who bought their first instruments second-hand from a military band. Some of those instruments, repaired many times, were played again on Saturday.

Among the thirty-two players were four generations of the Devlin family, from 81-year-old Francis on the tuba to his great-granddaughter Orla, who is nine and has played the cornet for a year. "She is better than I was at nine," her great-grandfather said. "She is better than I was at forty."

The programme mixed marches from the band's earliest surviving books with film music and a new piece written for the anniversary by a local composer, which ended with the audience joining in on a chorus.

The band says it is in better health than it has been for years, with a waiting list for its beginners' class. It will take the anniversary piece to a national competition in the spring.`,
	},
	{
		Section: "Culture", Dateline: "Vienna", Wire: "Broadsheet", Age: 7*sampleDay + 10*time.Hour,
		Title:   "Library by the old tram depot opens a reading room that never closes",
		Dek:     "Night-shift workers, students and insomniacs have made the 24-hour room the city's most unexpected success.",
		Authors: []string{"Helen Achterberg"}, Tags: []string{"Arts", "Community", "Transport"},
		Art: artwork{sceneCity, night, 139},
		Alt: "A city skyline at night with warm lit windows under a starry sky and a small moon.", Caption: "Lights on late in the district around the old depot, where the library now stays open all night.",
		Body: `When the district library moved into a converted tram depot last year, its architects kept one hall open to the street around the clock as an experiment. A year on, the night reading room has become one of the city's most talked-about public spaces.

The hall has long tables, armchairs, power sockets and a small shelf of newspapers and books that can be read but not borrowed. A librarian is on duty until midnight and a caretaker after that.

Most visitors after midnight are night-shift workers between shifts, students and people who cannot sleep, according to a survey by the library. "It is the only place in the city where you can sit down indoors at three in the morning without buying anything," one nurse wrote.

The library's director, Johanna Brettschneider, said there had been fewer problems than critics had predicted. "People behave in a library. It is a very old habit," she said.

Two other districts have asked the city for money to open similar rooms. The tram depot's old clock, restored and back in working order, hangs above the door.`,
	},
	{
		Section: "Sport", Dateline: "Harrowgate", Wire: "Broadsheet", Age: 12 * time.Hour,
		Title:   "Late header sends Harrowgate Town into the cup quarter-finals",
		Dek:     "The part-time side beat a team two divisions above them, and their goalkeeper saved a penalty in the first half.",
		Authors: []string{"Helen Achterberg"}, Tags: []string{"Football", "Community"},
		Art: artwork{sceneFields, autumn, 149},
		Alt: "Rolling autumn fields in bands of brown and gold under a warm afternoon sun.", Caption: "The fields beyond the Harrowgate ground, where the club's supporters watched from the hill.",
		Body: `Harrowgate Town, whose players include a postman, two teachers and a plumber, reached the quarter-finals of the cup for the first time on Saturday with a header in the ninetieth minute.

The part-time side beat Castlebridge Athletic, two divisions above them, 2–1 in front of a record crowd of 4,100. Hundreds more watched from the hill beyond the fence.

Castlebridge had the better of the first half and were awarded a penalty after half an hour, but Harrowgate's goalkeeper, Sam Okonjo, dived to his left to save it. Castlebridge went ahead soon after the break; Harrowgate equalised from a corner with a quarter of an hour to go.

The winner came from the captain, Liam Hendry, who rose above two defenders to meet a free kick. "I have not scored with my head since I was at school," he said. "I have no idea how I did it."

The club will learn its quarter-final opponents in Monday's draw. The chairman said the prize money would pay for new floodlights.`,
	},
	{
		Section: "Sport", Dateline: "Athens", Wire: "Reuters", Age: 9*sampleDay + 18*time.Hour,
		Title:   "Marathon moves its start to dawn as the autumn heat lingers",
		Dek:     "Runners will set off at half past six, and organisers are adding water stations and shaded rest points along the route.",
		Authors: []string{"Helen Achterberg", "Priya Raman"}, Tags: []string{"Athletics", "Climate", "Health"},
		Art: artwork{sceneHills, autumn, 151},
		Alt: "Warm brown hills at sunrise under a soft blue and cream sky.", Caption: "The hills along the course, where runners will now pass soon after sunrise.",
		Body: `Organisers of the city's autumn marathon have moved the start forward by two and a half hours, to half past six in the morning, after forecasters predicted temperatures well above the seasonal average for race day.

More than 18,000 runners are registered. The route climbs gently for the first half before dropping towards the finish, and the hottest stretch used to come around midday.

"We would rather ask people to set their alarms than ask the medical tent to treat heatstroke," said race director Eleni Papadaki. The race will add six water stations and four shaded rest points, and medical teams on bicycles will patrol the second half of the course.

Several running clubs had asked for the change after last year's race, when more than 200 runners needed treatment for the heat. Elite runners said they welcomed the cooler start, though some worried about the early buses from outlying towns.

The city's transport authority said it would run extra trains from five in the morning on race day.`,
	},
}
