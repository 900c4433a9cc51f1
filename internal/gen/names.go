package gen

// The vocabulary of the generated directories. Names come in pairs: how a
// person writes it, and the ASCII form used in UPNs and mail addresses.

type name struct{ display, ascii string }

var givenNames = []name{
	{"Anna", "anna"}, {"Ben", "ben"}, {"Chloé", "chloe"}, {"David", "david"}, {"Elif", "elif"},
	{"Fatima", "fatima"}, {"Giulia", "giulia"}, {"Hiroshi", "hiroshi"}, {"Ingrid", "ingrid"}, {"Jürgen", "juergen"},
	{"Karin", "karin"}, {"Liam", "liam"}, {"María", "maria"}, {"Noah", "noah"}, {"Olga", "olga"},
	{"Priya", "priya"}, {"Quentin", "quentin"}, {"Rosa", "rosa"}, {"Søren", "soren"}, {"Tomás", "tomas"},
	{"Uma", "uma"}, {"Victor", "victor"}, {"Wei", "wei"}, {"Ximena", "ximena"}, {"Yusuf", "yusuf"},
	{"Zoë", "zoe"}, {"Aiko", "aiko"}, {"Bilal", "bilal"}, {"Carmen", "carmen"}, {"Dmitri", "dmitri"},
	{"Emma", "emma"}, {"Felix", "felix"}, {"Grace", "grace"}, {"Hannah", "hannah"}, {"Ivan", "ivan"},
	{"Jonas", "jonas"}, {"Kofi", "kofi"}, {"Lena", "lena"}, {"Mateo", "mateo"}, {"Nadia", "nadia"},
	{"Oscar", "oscar"}, {"Paula", "paula"}, {"Rahul", "rahul"}, {"Sofia", "sofia"}, {"Theo", "theo"},
	{"Valentina", "valentina"}, {"William", "william"}, {"Yara", "yara"}, {"Amir", "amir"}, {"Björn", "bjorn"},
	{"Clara", "clara"}, {"Daniel", "daniel"}, {"Eva", "eva"}, {"François", "francois"}, {"Gabriel", "gabriel"},
	{"Helena", "helena"}, {"Isabel", "isabel"}, {"James", "james"}, {"Kenji", "kenji"}, {"Laura", "laura"},
	{"Marcus", "marcus"}, {"Nina", "nina"}, {"Omar", "omar"}, {"Petra", "petra"},
}

var surnames = []name{
	{"Berg", "berg"}, {"Müller", "mueller"}, {"Smith", "smith"}, {"García", "garcia"}, {"Rossi", "rossi"},
	{"Tanaka", "tanaka"}, {"Nowak", "nowak"}, {"Johansson", "johansson"}, {"Dubois", "dubois"}, {"Kowalski", "kowalski"},
	{"O'Brien", "obrien"}, {"Novák", "novak"}, {"Silva", "silva"}, {"Jensen", "jensen"}, {"Yilmaz", "yilmaz"},
	{"Patel", "patel"}, {"Kim", "kim"}, {"Nguyen", "nguyen"}, {"Fischer", "fischer"}, {"Martin", "martin"},
	{"Lopez", "lopez"}, {"Andersson", "andersson"}, {"Brown", "brown"}, {"Wilson", "wilson"}, {"Schmidt", "schmidt"},
	{"Ivanova", "ivanova"}, {"Costa", "costa"}, {"Eriksen", "eriksen"}, {"Hoffmann", "hoffmann"}, {"Lindqvist", "lindqvist"},
	{"Moreau", "moreau"}, {"Nakamura", "nakamura"}, {"Okafor", "okafor"}, {"Petrov", "petrov"}, {"Quinn", "quinn"},
	{"Romero", "romero"}, {"Sato", "sato"}, {"Thompson", "thompson"}, {"Van Dijk", "vandijk"}, {"Weber", "weber"},
	{"Zhang", "zhang"}, {"Åberg", "aberg"}, {"Becker", "becker"}, {"Chen", "chen"}, {"Da Silva", "dasilva"},
	{"Ekström", "ekstrom"}, {"Ferrari", "ferrari"}, {"Gonzalez", "gonzalez"}, {"Haddad", "haddad"}, {"Ibrahim", "ibrahim"},
	{"Jovanović", "jovanovic"}, {"Keller", "keller"}, {"Larsen", "larsen"}, {"Meyer", "meyer"}, {"Nielsen", "nielsen"},
	{"Olsen", "olsen"}, {"Papadopoulos", "papadopoulos"}, {"Richter", "richter"}, {"Schneider", "schneider"}, {"Tran", "tran"},
	{"Usman", "usman"}, {"Vogel", "vogel"}, {"Wagner", "wagner"}, {"Young", "young"},
}

type department struct {
	name   string
	weight int
	titles []string
}

var departments = []department{
	{"Sales", 15, []string{"Account Executive", "Sales Manager", "Sales Engineer", "Inside Sales Representative"}},
	{"Marketing", 8, []string{"Marketing Specialist", "Content Manager", "Brand Manager"}},
	{"Engineering", 22, []string{"Software Engineer", "Senior Software Engineer", "Engineering Manager", "Site Reliability Engineer", "QA Engineer"}},
	{"Research", 5, []string{"Research Scientist", "Research Engineer"}},
	{"Finance", 7, []string{"Accountant", "Financial Analyst", "Controller"}},
	{"Human Resources", 4, []string{"HR Business Partner", "Recruiter"}},
	{"Legal", 2, []string{"Counsel", "Paralegal"}},
	{"Operations", 10, []string{"Operations Manager", "Logistics Coordinator", "Buyer"}},
	{"Customer Success", 8, []string{"Customer Success Manager", "Support Engineer"}},
	{"IT", 6, []string{"Systems Administrator", "Service Desk Analyst", "Security Engineer"}},
	{"Product", 6, []string{"Product Manager", "UX Designer"}},
	{"Facilities", 3, []string{"Facilities Coordinator"}},
	{"Executive", 1, []string{"Chief of Staff", "Vice President"}},
}

var departmentWeights = func() []int {
	w := make([]int, len(departments))
	for i, d := range departments {
		w[i] = d.weight
	}
	return w
}()

type city struct{ name, country, lang string }

type profile struct {
	name, display, domain string
	cities                []city
}

// profiles are the first tenants; more are numbered.
var profiles = []profile{
	{"contoso-eu", "Contoso Europe", "contosoeu", []city{{"Berlin", "Germany", "de-DE"}, {"Paris", "France", "fr-FR"}, {"Amsterdam", "Netherlands", "nl-NL"}, {"Dublin", "Ireland", "en-IE"}, {"Madrid", "Spain", "es-ES"}}},
	{"contoso-us", "Contoso US", "contosous", []city{{"Seattle", "United States", "en-US"}, {"New York", "United States", "en-US"}, {"Austin", "United States", "en-US"}, {"Chicago", "United States", "en-US"}}},
	{"fabrikam-uk", "Fabrikam UK", "fabrikamuk", []city{{"London", "United Kingdom", "en-GB"}, {"Manchester", "United Kingdom", "en-GB"}, {"Edinburgh", "United Kingdom", "en-GB"}}},
	{"fabrikam-apac", "Fabrikam Asia Pacific", "fabrikamapac", []city{{"Tokyo", "Japan", "ja-JP"}, {"Singapore", "Singapore", "en-SG"}, {"Sydney", "Australia", "en-AU"}}},
	{"northwind", "Northwind Traders", "northwind", []city{{"Toronto", "Canada", "en-CA"}, {"Montréal", "Canada", "fr-CA"}, {"Vancouver", "Canada", "en-CA"}}},
	{"adatum", "Adatum Corporation", "adatum", []city{{"Zürich", "Switzerland", "de-CH"}, {"Vienna", "Austria", "de-AT"}, {"Geneva", "Switzerland", "fr-CH"}}},
	{"tailspin", "Tailspin Toys", "tailspin", []city{{"São Paulo", "Brazil", "pt-BR"}, {"Mexico City", "Mexico", "es-MX"}}},
	{"woodgrove", "Woodgrove Bank", "woodgrove", []city{{"Bangalore", "India", "en-IN"}, {"Mumbai", "India", "en-IN"}}},
}

var employeeTypes = []string{"Employee", "Contractor", "Intern", "Vendor"}
var employeeTypeWeights = []int{80, 12, 3, 5}

var groupWords = []string{
	"Staff", "Employees", "Falcon", "Atlas", "Orion", "Phoenix", "Nimbus", "Horizon", "Aurora", "Zephyr",
	"Onboarding", "Leadership", "Managers", "Volunteers", "Mentors", "Security", "Compliance", "Travel",
	"Hybrid", "Remote", "Campus", "Wellbeing", "Innovation", "Platform", "Data", "Cloud", "Mobile",
}

var partnerDomains = []string{"partner-one.example", "vendor-two.example", "agency-three.example", "gmail.example"}
