/// English number words, for spoken quantities and `range` lists.
enum NumberWords {
    private static let ones = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ]
    private static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

    /// "twenty one", "one hundred five"; 0…999.
    static func spell(_ number: Int) -> String {
        precondition((0...999).contains(number), "NumberWords covers 0…999")
        if number < 20 { return ones[number] }
        if number < 100 {
            return number % 10 == 0 ? tens[number / 10] : "\(tens[number / 10]) \(ones[number % 10])"
        }
        let rest = number % 100
        return rest == 0 ? "\(ones[number / 100]) hundred" : "\(ones[number / 100]) hundred \(spell(rest))"
    }
}
