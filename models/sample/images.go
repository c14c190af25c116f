package sample

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// The sample paper's lead pictures are painted here rather than shipped as files:
// the repository stays small, nothing is borrowed from a photographer, and every
// picture still goes through the real upload pipeline (re-encoding, srcset sizes).
// Each is a flat, poster-like landscape: a sky gradient, a sun or moon with a
// soft glow, then layers that grow darker and sharper towards the viewer — the
// "atmospheric perspective" that makes a few flat shapes read as depth.

// Size of a painted picture: the widest srcset size, in the 16:9 the layouts use.
const (
	artWidth  = 1600
	artHeight = 900
)

// scene is the kind of landscape, chosen per story to suit its subject.
type scene int

const (
	sceneHills     scene = iota // rolling hills with trees: country, culture
	sceneMountains              // jagged ranges: science, weather, the outdoors
	sceneCity                   // a skyline with lit windows: politics, business
	sceneCoast                  // sea to the horizon and a headland: ports, travel
	sceneFields                 // striped farmland: farming, sport grounds
)

// palette is the light of a picture: the sky from top to horizon, the sun,
// the land nearest the viewer, and an accent for windows and field stripes.
type palette struct {
	skyTop, skyLow, sun, land, accent color.RGBA
	night                             bool // stars, and a moon without a wide glow
}

// The palettes are named for the light they paint; stories pick one each.
var (
	dawn   = palette{skyTop: rgb(0x3b4a7a), skyLow: rgb(0xf6b38e), sun: rgb(0xfff1d6), land: rgb(0x2e3350), accent: rgb(0xffd27a)}
	noon   = palette{skyTop: rgb(0x2f7fc1), skyLow: rgb(0xcfe8f5), sun: rgb(0xfffbe8), land: rgb(0x2f5d3a), accent: rgb(0xe8d27a)}
	dusk   = palette{skyTop: rgb(0x2b1e4a), skyLow: rgb(0xf08a5d), sun: rgb(0xffd9a0), land: rgb(0x1d1630), accent: rgb(0xffc45e)}
	night  = palette{skyTop: rgb(0x070b1f), skyLow: rgb(0x28365e), sun: rgb(0xf2f0e1), land: rgb(0x0b0f1c), accent: rgb(0xffd98a), night: true}
	mist   = palette{skyTop: rgb(0x8aa0a8), skyLow: rgb(0xe3e6df), sun: rgb(0xffffff), land: rgb(0x3c4f4a), accent: rgb(0xc9d3a0)}
	autumn = palette{skyTop: rgb(0x5d87a8), skyLow: rgb(0xf3dcb2), sun: rgb(0xfff4dc), land: rgb(0x5a2e1b), accent: rgb(0xd98c2b)}
	winter = palette{skyTop: rgb(0x6f8fb3), skyLow: rgb(0xe9eef4), sun: rgb(0xffffff), land: rgb(0x41506a), accent: rgb(0xf4f6fa)}
	summer = palette{skyTop: rgb(0x1f6fb2), skyLow: rgb(0xa9dcef), sun: rgb(0xfffce0), land: rgb(0x3d6b2a), accent: rgb(0xd6c25a)}
)

// artwork says how to paint one picture. The seed varies the shapes, so two
// stories with the same scene and palette still get different pictures.
type artwork struct {
	Scene   scene
	Palette palette
	Seed    uint64
}

// paint renders the picture. The same artwork always gives the same pixels.
func paint(a artwork) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, artWidth, artHeight))
	cv := canvas{img}
	rng := rand.New(rand.NewPCG(a.Seed, uint64(a.Scene)<<32|0x5eed))
	p := a.Palette
	horizon := artHeight * (52 + rng.IntN(12)) / 100

	cv.sky(p.skyTop, p.skyLow, horizon)
	if p.night {
		cv.stars(rng, horizon)
	}
	sunX := float64(artWidth) * (0.15 + 0.7*rng.Float64())
	sunY := float64(horizon) * (0.35 + 0.4*rng.Float64())
	radius := 45 + 35*rng.Float64()
	glow := 4.0
	if p.night {
		glow = 1.6 // a moon lights little of the sky around it
	}
	cv.sun(sunX, sunY, radius, glow, p.sun)

	// Layers from far to near: each is the land colour washed towards the
	// horizon sky by how far away it is.
	haze := func(depth float64) color.RGBA { return mix(p.land, p.skyLow, depth) }
	switch a.Scene {
	case sceneHills:
		cv.ridge(rng, float64(horizon)-60, 70, 0.6, haze(0.75), nil)
		cv.ridge(rng, float64(horizon)+10, 60, 0.5, haze(0.5), nil)
		mid := cv.ridge(rng, float64(horizon)+90, 55, 0.4, haze(0.3), nil)
		cv.trees(rng, mid, haze(0.45), 14)
		near := cv.ridge(rng, float64(horizon)+200, 50, 0.3, p.land, nil)
		cv.trees(rng, near, darken(p.land, 0.25), 26)
	case sceneMountains:
		cv.ridge(rng, float64(horizon)-120, 190, 2.2, haze(0.7), nil)
		cv.ridge(rng, float64(horizon)-30, 150, 1.8, haze(0.45), nil)
		cv.ridge(rng, float64(horizon)+80, 90, 1.2, haze(0.2), nil)
		near := cv.ridge(rng, float64(horizon)+220, 40, 0.3, p.land, nil)
		cv.trees(rng, near, darken(p.land, 0.3), 30)
	case sceneCity:
		// Stone and glass take their colour from the sky and a neutral slate,
		// not from the grass: a green or brown city looks wrong.
		stone := mix(darken(p.skyTop, 0.55), rgb(0x3a3f47), 0.4)
		far := mix(stone, p.skyLow, 0.45)
		cv.ridge(rng, float64(horizon)-30, 50, 0.5, haze(0.7), nil)
		cv.skyline(rng, horizon+40, 260, far, mix(far, p.accent, 0.35), 0.15)
		cv.skyline(rng, horizon+150, 380, stone, p.accent, 0.35)
		cv.fillRows(horizon+150, artHeight, darken(stone, 0.2), darken(stone, 0.4))
	case sceneCoast:
		cv.sea(rng, horizon, mix(p.skyLow, p.land, 0.35), mix(p.skyTop, p.land, 0.5), sunX, p.sun)
		cv.headland(rng, horizon, haze(0.55), p.land)
	case sceneFields:
		cv.ridge(rng, float64(horizon)-20, 45, 0.5, haze(0.7), nil)
		far := cv.ridge(rng, float64(horizon)+40, 40, 0.4, haze(0.45), nil)
		cv.trees(rng, far, haze(0.55), 20)
		cv.ridge(rng, float64(horizon)+120, 45, 0.35, mix(p.land, p.accent, 0.35),
			&stripes{alt: mix(p.land, p.accent, 0.6), period: 90, slant: 0.6})
		cv.ridge(rng, float64(horizon)+240, 40, 0.3, p.land,
			&stripes{alt: mix(p.land, p.accent, 0.25), period: 140, slant: -0.8})
	}
	return img
}

func rgb(hex uint32) color.RGBA {
	return color.RGBA{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 0xff}
}

// mix blends a towards b by t (0 = a, 1 = b).
func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t + 0.5) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xff}
}

func darken(c color.RGBA, t float64) color.RGBA { return mix(c, color.RGBA{0, 0, 0, 0xff}, t) }

// canvas is the picture being painted; its methods are the brushes.
type canvas struct{ *image.RGBA }

// set writes one pixel straight into the buffer; going through img.Set for
// every pixel of every layer would make the whole seed several times slower.
func (cv canvas) set(x, y int, c color.RGBA) {
	i := y*cv.Stride + x*4
	cv.Pix[i], cv.Pix[i+1], cv.Pix[i+2], cv.Pix[i+3] = c.R, c.G, c.B, 0xff
}

// blend lays c over the pixel with opacity t.
func (cv canvas) blend(x, y int, c color.RGBA, t float64) {
	i := y*cv.Stride + x*4
	px := color.RGBA{cv.Pix[i], cv.Pix[i+1], cv.Pix[i+2], 0xff}
	cv.set(x, y, mix(px, c, t))
}

// fillRows paints rows [y0, y1) with a vertical gradient from top to bottom.
func (cv canvas) fillRows(y0, y1 int, top, bottom color.RGBA) {
	for y := max(y0, 0); y < min(y1, artHeight); y++ {
		c := mix(top, bottom, float64(y-y0)/float64(y1-y0))
		for x := 0; x < artWidth; x++ {
			cv.set(x, y, c)
		}
	}
}

// sky fills the whole picture with the sky gradient, brightest at the horizon,
// so anything not painted over later is sky.
func (cv canvas) sky(top, low color.RGBA, horizon int) {
	cv.fillRows(0, horizon, top, low)
	cv.fillRows(horizon, artHeight, low, low)
}

func (cv canvas) stars(rng *rand.Rand, horizon int) {
	for range 260 {
		x, y := rng.IntN(artWidth-1), rng.IntN(horizon*3/4)
		b := 0.3 + 0.7*rng.Float64()
		white := color.RGBA{0xff, 0xfb, 0xee, 0xff}
		cv.blend(x, y, white, b)
		if rng.IntN(6) == 0 { // a few brighter stars get a second pixel
			cv.blend(x+1, y, white, b/2)
		}
	}
}

// sun paints a disc with an anti-aliased edge and a glow that fades
// exponentially, which looks like light scattered in the air. The glow covers
// a large square, so its strength is looked up by whole-pixel distance instead
// of calling math.Exp for each of a million pixels.
func (cv canvas) sun(cx, cy, r, glow float64, c color.RGBA) {
	falloff := r * glow * 0.35
	reach := r + falloff*math.Log(0.45/0.004) // where the glow fades below what 8 bits can show
	strength := make([]float64, int(reach)+2)
	for d := range strength {
		strength[d] = 0.45 * math.Exp(-math.Max(float64(d)-r, 0)/falloff)
	}
	for y := max(int(cy-reach), 0); y < min(int(cy+reach), artHeight); y++ {
		for x := max(int(cx-reach), 0); x < min(int(cx+reach), artWidth); x++ {
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			switch {
			case d <= r-1:
				cv.set(x, y, c)
			case d < r:
				cv.blend(x, y, c, r-d)
			case d < reach:
				cv.blend(x, y, c, strength[int(d)])
			}
		}
	}
}

// stripes turn a land layer into ploughed or mown ground: bands that slant
// with the slope, alternating the layer colour with alt.
type stripes struct {
	alt    color.RGBA
	period float64
	slant  float64
}

// ridge paints a band of land whose top edge is a sum of sine waves around
// base, and returns that edge so trees can stand on it. Roughness above 1
// folds the waves into sharp peaks (mountains); below 1 they roll (hills).
// The edge pixel is blended by coverage so the line stays smooth.
func (cv canvas) ridge(rng *rand.Rand, base, amp, roughness float64, c color.RGBA, st *stripes) []float64 {
	type wave struct{ f, ph, a float64 }
	var waves []wave
	scale, falloff := math.Max(roughness, 0.5), 1.9
	if roughness > 1 {
		// Folding doubles the apparent frequency, so start lower and let the
		// small octaves fade faster: a few big peaks, not a saw blade.
		scale, falloff = roughness*0.3, 2.4
	}
	for k := range 4 {
		f := (0.002 + 0.0025*rng.Float64()) * math.Pow(2.1, float64(k)) * scale
		waves = append(waves, wave{f, rng.Float64() * 2 * math.Pi, 1 / math.Pow(falloff, float64(k))})
	}
	edge := make([]float64, artWidth)
	shade := darken(c, 0.18)
	for x := range artWidth {
		h := 0.0
		for _, w := range waves {
			s := math.Sin(float64(x)*w.f + w.ph)
			if roughness > 1 {
				s = 1 - 2*math.Abs(s) // fold the crests into peaks
			}
			h += w.a * s
		}
		top := base - amp*h/1.9
		edge[x] = top
		y0 := int(math.Floor(top))
		if y0 >= 0 && y0 < artHeight {
			cv.blend(x, y0, c, 1-(top-float64(y0)))
		}
		for y := max(y0+1, 0); y < artHeight; y++ {
			// Land darkens a little towards the viewer, so layers do not look pasted on.
			col := mix(c, shade, float64(y-y0)/float64(artHeight-y0+1))
			if st != nil && int(math.Floor((float64(x)+float64(y-y0)*st.slant*4)/st.period))%2 == 0 {
				col = mix(st.alt, shade, float64(y-y0)/float64(artHeight-y0+1))
			}
			cv.set(x, y, col)
		}
	}
	return edge
}

// trees stands n round-topped trees on a ridge's edge.
func (cv canvas) trees(rng *rand.Rand, edge []float64, c color.RGBA, n int) {
	for range n {
		x := rng.IntN(artWidth)
		r := 8 + rng.Float64()*14
		cv.disc(float64(x), edge[x]-r*0.8, r, c)
	}
}

// disc paints a filled circle with an anti-aliased rim.
func (cv canvas) disc(cx, cy, r float64, c color.RGBA) {
	for y := max(int(cy-r-1), 0); y < min(int(cy+r+2), artHeight); y++ {
		for x := max(int(cx-r-1), 0); x < min(int(cx+r+2), artWidth); x++ {
			if d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy); d < r {
				cv.blend(x, y, c, math.Min(1, r-d))
			}
		}
	}
}

// skyline stands a row of blocks on ground level base, up to maxH tall, with a
// grid of windows of which the share lit glow in the accent colour.
func (cv canvas) skyline(rng *rand.Rand, base, maxH int, c, window color.RGBA, lit float64) {
	for x := -rng.IntN(40); x < artWidth; {
		w := 50 + rng.IntN(110)
		h := maxH/4 + rng.IntN(maxH*3/4)
		top := base - h
		cv.fillRect(x, top, x+w, base, c)
		if rng.IntN(3) == 0 { // a narrower upper storey or a mast breaks the flat roofs
			inset := w / 4
			cv.fillRect(x+inset, top-h/6, x+w-inset, top, c)
		}
		for wy := top + 14; wy+12 < base; wy += 24 {
			for wx := x + 10; wx+10 < x+w-6; wx += 20 {
				if rng.Float64() < lit {
					cv.fillRect(wx, wy, wx+9, wy+12, window)
				}
			}
		}
		x += w + rng.IntN(12)
	}
}

func (cv canvas) fillRect(x0, y0, x1, y1 int, c color.RGBA) {
	for y := max(y0, 0); y < min(y1, artHeight); y++ {
		for x := max(x0, 0); x < min(x1, artWidth); x++ {
			cv.set(x, y, c)
		}
	}
}

// sea fills everything below the horizon with water and lays short glints on
// it beneath the sun, wider and sparser towards the viewer as on real water.
func (cv canvas) sea(rng *rand.Rand, horizon int, far, near color.RGBA, sunX float64, glint color.RGBA) {
	cv.fillRows(horizon, artHeight, far, near)
	// Faint ripples across the whole bay keep a wide stretch of water from
	// looking like a flat fill; like the glints they lengthen towards the viewer.
	for range 700 {
		y := horizon + 2 + int(float64(artHeight-horizon-2)*math.Pow(rng.Float64(), 1.2))
		depth := float64(y-horizon) / float64(artHeight-horizon)
		x := rng.IntN(artWidth)
		for i := x; i < min(x+20+int(depth*240*rng.Float64()), artWidth); i++ {
			cv.blend(i, y, darken(near, 0.3), 0.18)
		}
	}
	for range 900 {
		y := horizon + 2 + int(float64(artHeight-horizon-2)*math.Pow(rng.Float64(), 1.4))
		depth := float64(y-horizon) / float64(artHeight-horizon)
		x := int(sunX + rng.NormFloat64()*(30+220*depth))
		length := 6 + int(depth*60*rng.Float64())
		for i := x; i < x+length; i++ {
			if i >= 0 && i < artWidth {
				cv.blend(i, y, glint, 0.55*(1-depth*0.6))
			}
		}
	}
}

// headland puts a cliff on one side of the bay with a darker shore below it.
func (cv canvas) headland(rng *rand.Rand, horizon int, far, near color.RGBA) {
	left := rng.IntN(2) == 0
	width := 500 + rng.Float64()*400
	height := 120 + rng.Float64()*90
	for x := range artWidth {
		d := float64(x)
		if !left {
			d = float64(artWidth - 1 - x)
		}
		if d > width {
			continue
		}
		// A smooth shoulder falling to the water, with a little unevenness on top.
		t := d / width
		top := float64(horizon) - height*math.Sqrt(1-t*t) + 6*math.Sin(d*0.03)
		y0 := int(top)
		for y := max(y0, 0); y <= horizon+8 && y < artHeight; y++ {
			cv.set(x, y, mix(far, near, float64(y-y0)/float64(horizon+8-y0+1)*0.5))
		}
	}
}
