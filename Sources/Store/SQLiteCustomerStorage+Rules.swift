import Foundation

extension NewCustomer {
    /// The rows a new customer is stored as, checked: a 4-digit PIN (kept only as a salted
    /// hash), an E.164 phone number, a name. Whether the id or phone is taken is the store's
    /// to check, in the transaction that inserts them.
    public func rows(at now: Date) throws -> (customer: Customer, paymentMethod: PaymentMethod?, address: Address?) {
        if let pin { try SQLiteCustomerStorage.validate(pin: pin) }
        if let phone, phone.range(of: #"^\+[1-9][0-9]{6,14}$"#, options: .regularExpression) == nil {
            throw InvalidCustomer(description: "phone numbers are E.164: a + and 7 to 15 digits, e.g. +15551234567")
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw InvalidCustomer(description: "a customer needs a name") }
        let salt = SQLiteCustomerStorage.randomHex(bytes: 16)
        let customer = Customer(
            id: id ?? UUID().uuidString.lowercased(), name: name, pinHash: try pin.map { try SQLiteCustomerStorage.hash(pin: $0, salt: salt) },
            pinSalt: pin == nil ? nil : salt, pinRequired: pinRequired, pinFailures: 0, pinLockedUntil: nil,
            usualLinesJSON: nil, createdAt: now, phone: phone)
        let method = paymentMethod.map {
            PaymentMethod(id: UUID().uuidString.lowercased(), customerId: customer.id, token: $0.token, label: $0.label, isDefault: true, createdAt: now)
        }
        let address = address.map {
            Address(id: UUID().uuidString.lowercased(), customerId: customer.id, text: $0, isDefault: true, createdAt: now)
        }
        return (customer, method, address)
    }
}

extension Customer {
    /// Checks a spoken PIN against this customer's hash: the answer, and the customer as it
    /// must be stored after (nil: nothing changed). Wrong PINs count towards a lockout; a right
    /// one resets the count.
    public func checkingPIN(_ pin: String, at now: Date, maxFailures: Int, lockout: TimeInterval) -> (PINCheck, Customer?) {
        guard let hash = pinHash, let salt = pinSalt else { return (.notSet, nil) }
        if let until = pinLockedUntil, until > now { return (.locked(until: until), nil) }
        var changed = self
        // PBKDF2 throws only for parameters that are fixed here; if it ever did, the try fails closed.
        if (try? SQLiteCustomerStorage.hash(pin: pin, salt: salt)) == hash {
            changed.pinFailures = 0
            changed.pinLockedUntil = nil
            return (.correct, changed)
        }
        changed.pinFailures += 1
        if changed.pinFailures >= maxFailures {
            let until = now.addingTimeInterval(lockout)
            changed.pinFailures = 0
            changed.pinLockedUntil = until
            return (.locked(until: until), changed)
        }
        return (.wrong(attemptsLeft: maxFailures - changed.pinFailures), changed)
    }
}
